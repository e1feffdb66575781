"""政策举措文摘: turns newspaper page dumps into a searchable static site.

Stages, one module each: read → clean → segment → enrich → curate → render,
then the MkDocs plugin (mkdocs_plugin) and the offline bundles (bundle).
"""
