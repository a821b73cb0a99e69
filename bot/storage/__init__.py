"""SQLite: the connection, numbered migrations, and one repository per table.

Repositories are bound to a transaction: ``async with db.transaction() as tx:
await tx.tickets.get(ticket_id)``. Every SQL statement of the bot lives here.
"""
