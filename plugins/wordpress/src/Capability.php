<?php
namespace Cairn\WordPress;

/** view_cairn_stats: who may see the stats in wp-admin. Administrators get it; any role can be given it. */
final class Capability {
	public const VIEW = 'view_cairn_stats';

	/** Activation hook. */
	public static function grant_to_administrators(): void {
		$role = get_role( 'administrator' );
		if ( $role ) {
			$role->add_cap( self::VIEW );
		}
	}

	/** Roles that hold it now. */
	public static function roles(): array {
		return array_values( array_filter( array_keys( wp_roles()->get_names() ), static fn ( $name ) => (bool) get_role( $name )?->has_cap( self::VIEW ) ) );
	}

	/**
	 * The settings page's choice: exactly these roles (existing ones only) hold it, and
	 * administrators always do, so nobody can lock the site's administrators out of the stats.
	 */
	public static function assign( array $roles ): void {
		$roles[] = 'administrator';
		foreach ( array_keys( wp_roles()->get_names() ) as $name ) {
			$role = get_role( $name );
			if ( ! $role ) {
				continue;
			}
			if ( in_array( $name, $roles, true ) ) {
				$role->add_cap( self::VIEW );
			} else {
				$role->remove_cap( self::VIEW );
			}
		}
	}

	/** Uninstall: no role keeps it. */
	public static function revoke_from_all(): void {
		foreach ( array_keys( wp_roles()->get_names() ) as $name ) {
			$role = get_role( $name );
			if ( $role ) {
				$role->remove_cap( self::VIEW );
			}
		}
	}
}
