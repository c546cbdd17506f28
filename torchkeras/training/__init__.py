"""Training: the Trainer mixin behind ``compile`` / ``fit`` / ``evaluate`` / ``predict``."""
