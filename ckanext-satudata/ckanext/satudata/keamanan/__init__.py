"""Login security (issue 14): throttling and lockout of failed logins."""
