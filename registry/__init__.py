"""The domain: models, rules, versioning and the stores. Imports nothing of ours."""
