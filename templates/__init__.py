"""The built-in post templates, shipped in the wheel as the resource package `toolkit.templates`."""
