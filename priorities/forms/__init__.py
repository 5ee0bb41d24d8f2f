"""Forms for priorities, split like the views: `intake`, `records`, `public`."""
