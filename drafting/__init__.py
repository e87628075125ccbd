"""Tools for people who write standards: the term checker, the "术语和定义" clause and the harmonisation report."""
