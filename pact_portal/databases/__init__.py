"""More than one database: a read replica for heavy reads that tolerate lag (routers), and the
planner settings kept on the database itself, where PgBouncer cannot lose them (tuning)."""
