"""Handing a conversation to the municipal helpdesk (KCC): live chat or a contact request."""
