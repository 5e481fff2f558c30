"""Errors the library raises; the bot turns each into one friendly line."""


class StoryBotError(Exception):
    """Base class: str(error) is the one line shown to the person who caused it."""


class ImportRejected(StoryBotError):
    """A file that cannot become a story. The message names the reason (not the file)."""


class DuplicateStory(ImportRejected):
    def __init__(self, existing_id: int, title: str) -> None:
        super().__init__(f"already in the library as story {existing_id} ({title})")
        self.existing_id = existing_id


class StoryNotFound(StoryBotError):
    def __init__(self, story_id: int | str) -> None:
        super().__init__(f"no story {story_id} in this library (was it removed?)")
        self.story_id = story_id


class PermissionDenied(StoryBotError):
    pass


class InvalidInput(StoryBotError):
    pass
