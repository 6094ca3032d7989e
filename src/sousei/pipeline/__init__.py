"""Bundle → warehouse: the only code that reads the raw files of the data bundle."""
