"""Online TI providers: one small declarative class per HTTP threat-intel service.

Each module names where its wire format comes from. The registry
(`huntbook.enrich.ti.registry`) imports a module only when its provider is used,
so nothing here is imported eagerly.
"""
