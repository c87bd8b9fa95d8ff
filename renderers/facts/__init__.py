"""Facts for the document: one module per family, each a set of pure functions of the Inventory.

Templates reach them as ``facts.<module>.<function>(inv)``; modules here are
found automatically, so a new family adds a module and nothing else.
"""
