"""Survey questionnaire specs: the models, the expression language, loading and checking."""
