"""Screens: pure functions from a use case's view model to the text and keyboard a user sees."""
