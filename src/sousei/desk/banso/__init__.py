"""地方創生伴走支援: 支援官 registration, municipality applications, team forming runs, publication and evaluations."""
