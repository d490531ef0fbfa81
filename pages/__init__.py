"""Pages that combine the apps: the layer above assessment, scoring, review and reports.

The home page (one per role) and the application page show the work of several
apps at once; they live here so that no app has to import the apps above it.
A plain package: no models, no templates of its own (they are in templates/).
"""
