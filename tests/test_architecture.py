"""The code's shape, checked from its sources (read with ``ast``, nothing imported).

- No import cycle between the project's modules, function-level imports counted.
- The layers: ``assessment`` (applications) and ``scoring`` sit below ``review``,
  which sits below ``reports``; ``pages`` (pages combining the apps) sits above
  them all. A lower layer never imports a higher one.
- A function-level import says why on its own line (a cycle, a heavy optional
  library): everything else is imported at the top of its module.
- Modules stay short, tests and benchmarks too (data catalogues and migrations excepted).
- A test module imports no other test module: shared helpers live in
  ``tests.factories`` and the other non-test modules of ``tests``.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("assessment", "scoring", "review", "reports", "config", "pages")
MAX_LINES = 400
# Catalogues of data, long by nature: they are read, not followed.
DATA_MODULES = {
    "scoring.default_rubric",
    "assessment.questionnaire",
    "assessment.demo_data",
}
# Who may not import whom: {importing package: packages above it}.
FORBIDDEN = {
    "assessment": ("review", "reports", "pages"),
    "scoring": ("review", "reports", "pages"),
    "review": ("reports", "pages"),
}
# The pure rules engine: the standard library and pure project modules only (no Django, no app models).
PURE = {"scoring.engine", "review.matching"}


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources(top_names):
    """{module name: (path, source)} of every Python file under the named top-level directories."""
    found = {}
    for top in top_names:
        for path in sorted((ROOT / top).rglob("*.py")):
            found[_module_name(path)] = (path, path.read_text(encoding="utf-8"))
    return found


def _is_package(name, modules):
    path = modules[name][0]
    return path.name == "__init__.py"


def _absolute(node, importer, modules):
    """The absolute module name ``from ... import`` names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not _is_package(importer, modules):
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _nearest(name, modules):
    """The project module ``name`` refers to: itself, or its closest enclosing package (None if not ours)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


class _Imports(ast.NodeVisitor):
    """Every import of one module: (target module, line, at function level)."""

    def __init__(self, importer, modules):
        self.importer, self.modules = importer, modules
        self.depth = 0
        self.found = []  # (imported name as written, resolved project module or None, node, in a function)

    def _function(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_Import(self, node):
        for alias in node.names:
            self.found.append((alias.name, _nearest(alias.name, self.modules), node, self.depth > 0))

    def visit_ImportFrom(self, node):
        source = _absolute(node, self.importer, self.modules)
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            # ``from x import y`` where y is a module imports x.y.
            written = submodule if submodule in self.modules else source
            self.found.append((written, _nearest(written, self.modules), node, self.depth > 0))


def _imports(modules):
    """{module: [(written, target, node, function_level)]} for the given sources."""
    result = {}
    for name, (path, source) in modules.items():
        visitor = _Imports(name, modules)
        visitor.visit(ast.parse(source, filename=str(path)))
        result[name] = visitor.found
    return result


def _graph(modules):
    graph = defaultdict(set)
    for name, found in _imports(modules).items():
        graph[name]  # every module is a node, even one that imports nothing of ours
        for _written, target, _node, _function_level in found:
            if target and target != name:
                graph[name].add(target)
    return graph


def _cycles(graph):
    """The strongly connected components with more than one module (Tarjan), each as a sorted list."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def _a_cycle_through(component, graph):
    """One closed path inside a strongly connected component, e.g. a → b → c → a, for the message."""
    members = set(component)
    start = component[0]
    path, seen = [start], {start}
    while True:
        successors = sorted(graph[path[-1]] & members)
        back = [s for s in successors if s in seen]
        if back:
            loop = path[path.index(back[0]) :]
            return " → ".join(loop + [back[0]])
        path.append(successors[0])
        seen.add(successors[0])


def _project():
    return _sources(PACKAGES)


def test_no_import_cycles():
    graph = _graph(_project())
    cycles = _cycles(graph)
    message = "\n".join(
        f"cycle among {', '.join(component)}:\n    {_a_cycle_through(component, graph)}" for component in cycles
    )
    assert not cycles, "Import cycles (function-level imports counted):\n" + message


def test_layers():
    modules = _project()
    wrong = []
    for name, found in _imports(modules).items():
        package = name.split(".")[0]
        for _written, target, node, _function_level in found:
            line = f"{modules[name][0].relative_to(ROOT)}:{node.lineno} imports {target}"
            if target and target.split(".")[0] in FORBIDDEN.get(package, ()) and line not in wrong:
                wrong.append(line)
    assert not wrong, "A lower layer imports a higher one:\n" + "\n".join(wrong)


def test_the_engine_is_pure():
    """The engine, and every project module it imports in turn, imports neither Django nor an app's Django code."""
    modules = _project()
    imports = _imports(modules)
    wrong, seen, todo = [], set(), sorted(PURE)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for written, target, node, _function_level in imports[name]:
            where = f"{modules[name][0].relative_to(ROOT)}:{node.lineno} imports {written}"
            if written.split(".")[0] == "django" and where not in wrong:
                wrong.append(where)
            elif target and target != name:
                todo.append(target)  # a project module: it must be pure too
    assert not wrong, "The rules engine depends on Django:\n" + "\n".join(wrong)


def test_function_level_imports_say_why():
    modules = _project()
    silent = []
    for name, found in _imports(modules).items():
        path, source = modules[name]
        lines = source.splitlines()
        reported = set()
        for _written, _target, node, function_level in found:
            if not function_level or node.lineno in reported:
                continue
            reported.add(node.lineno)
            statement = lines[node.lineno - 1 : node.end_lineno]
            if not any("#" in line for line in statement):
                silent.append(f"{path.relative_to(ROOT)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    assert not silent, (
        "Function-level imports without a comment saying why (move them to the top unless a cycle or a "
        "heavy optional library forces them):\n" + "\n".join(silent)
    )


def test_modules_are_short():
    """The apps' modules, the tests' and the benchmarks' alike."""
    long = []
    for name, (path, source) in _sources((*PACKAGES, "tests", "bench")).items():
        if ".migrations." in f".{name}." or name in DATA_MODULES:
            continue
        count = len(source.splitlines())
        if count > MAX_LINES:
            long.append(f"{path.relative_to(ROOT)}: {count} lines")
    assert not long, f"Modules over {MAX_LINES} lines (split them by what they are for):\n" + "\n".join(long)


def test_data_modules_exist():
    """The exceptions above name real modules (a renamed catalogue must not leave a stale exemption)."""
    modules = _project()
    assert not DATA_MODULES - set(modules), DATA_MODULES - set(modules)


def _is_test_module(name):
    return name.rpartition(".")[2].startswith("test_")


def test_test_modules_import_no_test_module():
    modules = _sources(("tests",))
    wrong = []
    for name, found in _imports(modules).items():
        for _written, target, node, _function_level in found:
            line = f"{modules[name][0].relative_to(ROOT)}:{node.lineno} imports {target}"
            if target and _is_test_module(target) and line not in wrong:
                wrong.append(line)
    assert not wrong, (
        "Test modules importing test modules (shared helpers go in tests.factories or another "
        "non-test module):\n" + "\n".join(wrong)
    )


def test_the_checks_see_the_project():
    """Guard against a vacuous pass: the graph holds the apps, their imports and a known edge."""
    graph = _graph(_project())
    assert {"assessment.models", "review.models", "reports.models", "scoring.engine"} <= set(graph)
    assert "assessment.models" in graph["assessment.access"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
