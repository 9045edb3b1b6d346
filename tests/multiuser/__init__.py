"""Tests of issue 9's multi-user mode: isolation, authentication, audit, fuzzing."""
