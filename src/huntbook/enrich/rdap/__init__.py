"""RDAP (the JSON successor of whois) for IP addresses, domains and AS numbers.

- `bootstrap`: which server answers for which TLD / address block / AS range,
  from IANA's RDAP bootstrap registry (RFC 9224), fetched once and cached;
- `http`: polite async fetching (bounded concurrency, Retry-After, backoff);
- `parse`: RFC 9083 response objects to flat fields;
- `cache`: a small SQLite file of answers with a TTL.

The public front is `huntbook.enrich.whois.whois_lookup`.
"""
