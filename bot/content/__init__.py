"""Programme content: schema, loading and queries. Pure Python, no Rasa imports."""
