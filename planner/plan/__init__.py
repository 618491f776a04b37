"""Plan: the request (every option, validated together), the stages from inputs to a
result, and the frozen result."""
