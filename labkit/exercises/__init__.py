"""The checks behind each lab's "Your turn" exercises: one module per lab, each check returns a Verdict."""
