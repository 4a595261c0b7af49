"""Use cases: one module per user story, free of aiogram. Chat handlers, the Mini App, the console and jobs
call these (with a unit of work and the clock) and nothing below them; rules stay in `domain/`, SQL in
`storage/`."""
