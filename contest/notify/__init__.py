"""Notifications (issue 15): the outbox, its channels, templates and reminders."""
