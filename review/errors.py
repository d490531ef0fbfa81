"""The refusals of the review panel's actions, each with a message for the person who asked."""

from assessment.domain import ApplicationError


class ReviewError(ApplicationError):
    """A refused panel action, with a message for the user."""


class StaleReview(ReviewError):
    """The review was saved (by its reviewer, elsewhere) after the page that saves it was opened."""

    def __init__(self, message, current):
        super().__init__(message)
        self.current = current  # the review as it is saved now


class DecidedMeanwhile(ReviewError):
    """Another decision became the current one after the page that decides was opened."""
