"""Pages of the jobs app: posting (employers), apply and the applicant's pages, review (employers)."""
