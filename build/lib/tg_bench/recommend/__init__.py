"""Recommending models for a dataset nobody has fine-tuned on: the new dataset joins the zoo as a target
without records, a method ranks the zoo's models for it, and the ranking says why (nearest datasets)."""
