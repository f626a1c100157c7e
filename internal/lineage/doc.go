// Package lineage assembles the graph of runs, artifacts and collections
// around one record (LaminDB's view_lineage) and renders it: an indented
// text tree, Graphviz DOT, SVG, Mermaid and JSON, plus OpenLineage run events
// and W3C PROV-JSON exports.
//
// Traversal happens in the database as recursive SQL over meta.Querier, so
// the number of statements per graph does not grow with the graph. That
// SQL (Resolve's lookup of the root, Assemble's graph statement) is the
// one place outside internal/meta and internal/query that names the
// schema's tables: it is written for the graph and shaped by its planner
// hints (PostgresHints), so it stays beside the code that reads its rows.
// The package reads only; it never writes records and knows nothing of the
// CLI.
package lineage
