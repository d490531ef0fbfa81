"""Which reviewer reviews which application: a minimum-cost maximum flow (plain Python and networkx, no Django).

The network, as HotCRP builds its own for paper assignment::

    source ──(slots needed)──▶ application ──(1, preference cost)──▶ reviewer ──▶ unit 1 ─(W·(load+1))─▶ sink
                                                                                ──▶ unit 2 ─(W·(load+2))─▶ sink
                                                                                     …  up to the reviewer's cap

- A maximum flow fills every slot that caps and conflicts allow: only eligible pairs (no conflict, not
  assigned already) are arcs, and a reviewer has one unit arc per assignment left under the cap.
- Among maximum flows, the cheapest balances the load: the n-th extra assignment of a reviewer who already
  has ``load`` costs W·(load + n), so each costs more than the one before (a convex cost) and a reviewer
  with little work is given work first.
- The preference of a pair (e.g. a reviewer from a place of the same size) costs (top − preference) on the
  application → reviewer arc. W is larger than the most the preferences of a whole assignment can differ
  by, so a preference never buys a worse balance, and never an empty slot.

Every cost is an integer (networkx's network simplex is exact on integers only). Applications and
reviewers are read in the order of their ids, so the same input gives the same answer.
"""

from collections import Counter
from dataclasses import dataclass

import networkx as nx

SOURCE, SINK = ("source",), ("sink",)


@dataclass(frozen=True)
class Need:
    """An application and how many more reviewers it needs."""

    id: object
    slots: int


@dataclass(frozen=True)
class Reviewer:
    """A reviewer, the assignments they have already, and the most they may have."""

    id: object
    load: int
    cap: int


def match(applications, reviewers, eligible, preference=None):
    """The (application id, reviewer id) pairs to assign, sorted.

    ``applications``: ``Need``s; ``reviewers``: ``Reviewer``s; ``eligible``: the (application id,
    reviewer id) pairs allowed (no conflict, not assigned already); ``preference``: optional
    {(application id, reviewer id): whole number ≥ 0}, higher for a better fit, 0 when absent.
    """
    preference = preference or {}
    needs = {a.id: a.slots for a in applications if a.slots > 0}
    room = {r.id: r for r in reviewers if r.cap > r.load}
    pairs = sorted({(a, r) for a, r in eligible if a in needs and r in room})
    if not pairs:
        return []
    top = max((preference.get(pair, 0) for pair in pairs), default=0)
    # More than the preference costs of every possible assignment together can differ by.
    weight = top * sum(needs.values()) + 1
    graph = nx.DiGraph()
    graph.add_nodes_from([SOURCE, SINK])
    for application_id in sorted(needs):
        graph.add_edge(SOURCE, ("a", application_id), capacity=needs[application_id], weight=0)
    for application_id, reviewer_id in pairs:
        cost = top - preference.get((application_id, reviewer_id), 0)
        graph.add_edge(("a", application_id), ("r", reviewer_id), capacity=1, weight=cost)
    offered = Counter(r for _a, r in pairs)
    for reviewer_id in sorted(offered):
        reviewer = room[reviewer_id]
        # No more unit arcs than the reviewer could be given: a smaller network, the same answer.
        can_take = min(reviewer.cap - reviewer.load, offered[reviewer_id])
        for n in range(1, can_take + 1):
            unit = ("u", reviewer_id, n)
            graph.add_edge(("r", reviewer_id), unit, capacity=1, weight=weight * (reviewer.load + n))
            graph.add_edge(unit, SINK, capacity=1, weight=0)
    flow = nx.max_flow_min_cost(graph, SOURCE, SINK)
    return sorted(
        (application_id, reviewer_id)
        for application_id, reviewer_id in pairs
        if flow[("a", application_id)][("r", reviewer_id)]
    )


def shortfalls(applications, made):
    """[(application id, slots still empty)] for the applications ``made`` (the pairs of ``match``) leaves short."""
    given = {}
    for application_id, _reviewer_id in made:
        given[application_id] = given.get(application_id, 0) + 1
    return [(a.id, a.slots - given.get(a.id, 0)) for a in applications if a.slots > given.get(a.id, 0)]
