"""Rosters (danh sách cán bộ): import and edit each unit's staff list (`entries`, `importing`),
its size as the unit's headcount (`entries.unit_headcounts`), and who of it has taken part
(`matching`), with the unit contact's export and reminder (`report`)."""
