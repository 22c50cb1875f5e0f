"""The project's own Dutch NLP resources, generated from the programme data."""
