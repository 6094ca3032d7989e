"""Steps computed from other steps' tables (projections, indicators): out_ tables, no bundle files of their own."""
