"""The refusals of the review panel's actions, each with a message for the person who asked."""

from assessment.domain import ApplicationError


class ReviewError(ApplicationError):
    """A refused panel action, with a message for the user."""


class StaleReview(ReviewError):
    """Someone saved the review after the page that saves it was opened."""


class DecidedMeanwhile(ReviewError):
    """Another decision became the current one after the page that decides was opened."""
