"""The course's website: ``python -m book.build`` (``make book``) builds it from the lessons and the kit."""
