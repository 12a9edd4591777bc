"""__APP_TITLE__."""
