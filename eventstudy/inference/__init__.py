"""Statistical tests on abnormal returns."""
