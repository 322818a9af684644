"""Offline TI providers: the lake's ThreatIntelligenceIndicator table and local feed files."""
