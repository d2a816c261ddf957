"""montagne-kg: a knowledge graph of the French mountain industry's international cooperation."""
