"""The dashboard: thin server-rendered views over sousei.query."""
