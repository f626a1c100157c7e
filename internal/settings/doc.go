// Package settings owns the user's settings folder (~/.lamin or
// $LAMIN_SETTINGS_DIR): the current user and instance, one file per known
// user and instance, instance-level preferences, and the cache location.
//
// Files are small KEY=VALUE env files written atomically. The package knows
// nothing about databases or storage backends.
package settings
