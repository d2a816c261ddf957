"""Adding a release: proposals from the text (gazetteer, NER, post-rules, cue rows), a review file, and applying it."""
