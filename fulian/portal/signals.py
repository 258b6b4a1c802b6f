"""Portal signal handlers.

Nothing is cached per process: the navigation and page cache are cleared by
``fulian.pagecache.signals`` when anything public changes.
"""
