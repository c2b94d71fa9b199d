# Portal Satu Data Kabupaten Pasuruan. See README.md.
.PHONY: run stop status test test-fast bench lint backup restore

run:        ## install what is missing, start services + CKAN, load the demo
	@scripts/portal run

stop:       ## stop everything `make run` started
	@scripts/portal stop

status:
	@scripts/portal status

test:       ## the whole test suite against real PostgreSQL, Solr and Redis
	@scripts/portal test

test-fast:  ## for developers: the suite without browser, live-server and slow tests
	@scripts/portal test-fast

bench:      ## stock CKAN vs the suite, side by side; prints ratios
	@scripts/portal bench

lint:       ## ruff, shellcheck, import-linter contracts, mypy (also run first by `make test`)
	@scripts/portal lint

backup:     ## both databases, uploads and secrets into one checksummed archive in $$SATUDATA_BACKUP_DIR
	@scripts/backup.sh

restore:    ## make restore ARCHIVE=<file>|latest: check the archive, then restore everything and reindex
	@scripts/restore.sh $(ARCHIVE)
