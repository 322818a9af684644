"""Analysis: pure functions from text and DataFrames to DataFrames (IoCs, decoding, process trees, ...).

Nothing here imports plots or notebook code. The ``.hunt`` accessor that reaches these
functions from a DataFrame is registered by ``import huntbook`` once pandas is loaded
(`huntbook._pandas_hook`).
"""
