"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over Dasan's complaints.

Service codes are complaint categories (``Category.code``); a POSTed service request
becomes a complaint through ``intake.file_complaint(channel="open311")``. See
docs/open311.md for the integrator's guide.
"""
