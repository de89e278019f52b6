"""The commitments tracker: recommendations, decisions, actions and targets read from the library."""
