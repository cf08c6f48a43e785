"""Page routers: public pages, residents' reports, volunteering, the staff console, sign-in."""
