"""Who may do what: users and roles, API tokens, the audit log, and releases asked for over
the API. `roles.may` is the one rule book; everything else asks it."""
