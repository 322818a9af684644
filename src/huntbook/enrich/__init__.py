"""Enrichment: what is known about an indicator (threat intel, geo-IP, whois, domains).

Submodules load on first use, so ``import huntbook.enrich`` stays light::

    from huntbook.enrich.ti import TILookup
"""
