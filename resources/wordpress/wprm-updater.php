<?php
/**
 * WP Release Manager updater 1.0: self-hosted updates for one WordPress plugin, read from the manifest
 * (`info.json`, format "wprm-manifest/1") that WP Release Manager publishes next to the plugin's ZIPs.
 *
 * SETUP: copy this file into your plugin's folder and add ONE line to the plugin's main file:
 *
 *     require_once __DIR__ . '/wprm-updater.php'; WPRM_Updater_1_0::register( __FILE__, 'https://updates.example.com/plugins/my-plugin/info.json' );
 *
 * Recommended: put the same URL in the plugin header as "Update URI: https://updates.example.com/plugins/my-plugin/info.json".
 * WordPress 5.8+ then never takes an update for this plugin from wordpress.org (a plugin there may share the slug).
 *
 * WHAT IT DOES
 * - Offers the manifest's `version` (Dashboard > Updates, Plugins screen) when it is higher than the installed one
 *   and the site meets its `requires` (WordPress) and `requires_php`; otherwise lists the plugin as up to date, so
 *   the auto-update toggle works. "View version details" shows the manifest's name, version, sections (description,
 *   installation, FAQ, screenshots, changelog, upgrade notice), banners and icons, requirements, last update and
 *   download link; the Updates screen shows its icon. Every text is made safe before WordPress sees it (plain text
 *   escaped, HTML reduced to what the plugin-information screen allows, http(s) addresses only), whoever wrote it.
 * - Downloads the package itself before WordPress installs it and checks its size and SHA-256 against the manifest.
 *   On a mismatch the install stops with an error that says so, the download is deleted, and the installed
 *   version stays as it was. A package whose top folder is not this plugin's folder is refused too.
 * - `force_update`: WordPress's automatic updater installs that version without waiting for an admin.
 * - `revoked`: a site running a withdrawn version is offered the latest live version, even a lower one, and
 *   admins see a notice saying why.
 * - `update_ready`: the manifest is re-read after 10 minutes instead of 1 hour (never later than 12 hours), always
 *   with a conditional GET (If-None-Match / If-Modified-Since; a 304 keeps the cached copy).
 * - Never breaks the site: the manifest request times out after 10 s (a package download after 60 s); a failed
 *   check is retried after 5 minutes, then 10, 20, ... at most 12 hours; every manifest field is type-checked before
 *   use, and a malformed manifest is ignored (the last good one stays in use). An admin notice on the Plugins and
 *   Updates screens is the only visible effect of a failure.
 *
 * SIGNED RELEASES: pass the release manager's public key(s), as `wprm updater install` prints the line:
 *
 *     WPRM_Updater_1_0::register( __FILE__, 'https://…/info.json', array( 'keys' => array( 'BASE64-PUBLIC-KEY' ) ) );
 *
 * The updater then offers nothing until the Ed25519 signature inside info.json (its last member, "signatures",
 * over the file's exact bytes without that member) is valid for one of those keys (PHP's sodium, else WordPress's
 * bundled sodium_compat), and refuses, with one admin notice naming the cause: a missing, invalid or unknown signature; another slug; a
 * manifest_version lower than the highest this site accepted (or equal with other bytes: a replay); an expired
 * manifest (`expires`: a frozen server); a manifest over 2 MiB or redirected to another host. A download is cut at
 * the signed size. A signed manifest's `keys` names the keys trusted from then on (a key rotation); the site
 * remembers them and the highest manifest_version in the option "wprm_updater_trust_{plugin folder}", which also
 * holds a signed plugin's cache (one write records a new manifest).
 *
 * FOR COMMERCIAL PLUGINS: the filter `wprm_updater_request` ($request, $kind, $folder) gets
 * array( 'url' => …, 'headers' => array(), 'query' => array() ) for each 'manifest' and 'download' request and may add a license key to the query or an Authorization header. A 401 or 403 answer shows a notice.
 *
 * Checks happen when WordPress checks for updates, and on admin pages, cron runs and WP-CLI once the cache is due;
 * never on a visitor's page view. Dashboard > Updates > "Check again" re-reads the manifest at once.
 * The cache is the site option "wprm_updater_{plugin folder}" (a signed plugin's: beside its trust record); deleting
 * an unsigned plugin's makes the next check fetch the manifest. "Check again" re-reads the manifest of either. While a
 * check runs, other requests use the cache: the check holds the database's named lock (GET_LOCK), or, on a database
 * without one, the option "wprm_updater_claim_{plugin folder}" says until when (30 s).
 *
 * Requires PHP 7.4+ and WordPress 5.5+; no other dependency. The class name carries the updater's version and is
 * declared only once, so plugins that carry copies of this file (the same or other versions) do not clash.
 */

defined( 'ABSPATH' ) || exit;

if ( ! class_exists( 'WPRM_Updater_1_0', false ) ) :

	/**
	 * Keeps one plugin up to date from a WP Release Manager manifest. Create it with register().
	 */
	final class WPRM_Updater_1_0 {

		/** The only manifest format this updater understands; it does not guess at others. */
		const MANIFEST_FORMAT = 'wprm-manifest/1';

		/** The cache option is this prefix plus the plugin's folder name. */
		const OPTION_PREFIX = 'wprm_updater_';

		/** Seconds to wait for the manifest: an admin page waits on it. */
		const MANIFEST_TIMEOUT = 10;

		/** Seconds to wait for a package: bigger than a manifest, but far below core's 300. */
		const DOWNLOAD_TIMEOUT = 60;

		/** A manifest larger than this is cut off, then refused as malformed. */
		const MAX_MANIFEST_BYTES = 2097152;

		/** How long a manifest is used before it is re-read: an hour, 10 minutes while a release is update_ready. */
		const CACHE_SECONDS              = 3600;
		const UPDATE_READY_CACHE_SECONDS = 600;

		/**
		 * On a single site the cache (the manifest and when to check again) is autoloaded up to this size, as
		 * plugin-update-checker's is: every admin page and every check read it, and an option WordPress does not load
		 * with the others costs a query each time. A larger one (a very long changelog) stays out of every request.
		 */
		const AUTOLOAD_STATE_BYTES = 65536;

		/** WordPress's own longest check interval; neither a cache nor a backoff ever goes beyond it. */
		const MAX_CACHE_SECONDS = 43200;

		/** After a failed check: wait this long, doubled after each further failure. */
		const FIRST_BACKOFF_SECONDS = 300;

		/**
		 * Where the database has no named locks (see lock_check), a check claims itself for this long in an option, the
		 * prefix below plus the plugin's folder name, and other requests use the cache meanwhile.
		 */
		const CHECK_CLAIM_SECONDS = 30;
		const CLAIM_OPTION_PREFIX = 'wprm_updater_claim_';

		/**
		 * The trust option (keys, highest accepted manifest) is this prefix plus the plugin's folder name. A signed
		 * plugin keeps its cache in it too (see save_state).
		 */
		const TRUST_OPTION_PREFIX = 'wprm_updater_trust_';

		/** The member a signed manifest ends with (see split_signed), and how many signatures it may hold. */
		const SIGNATURES_MEMBER = ',"signatures":[';
		const MAX_SIGNATURES    = 8;

		/** How many redirects on the manifest's own host are followed; one to another host is refused. */
		const MAX_REDIRECTS = 3;

		/** The site's channel for this plugin, as chosen on the Plugins screen, is this prefix plus the plugin's folder. */
		const CHANNEL_OPTION_PREFIX = 'wprm_updater_channel_';

		/** The admin-post.php action of the Plugins screen's "Get beta updates" / "Back to stable" link. */
		const CHANNEL_ACTION = 'wprm_updater_channel';

		/** @var array<string, WPRM_Updater_1_0> Updaters by plugin basename. */
		private static $updaters = array();

		/** @var string Absolute path of the plugin's main file. */
		private $plugin_file;

		/** @var string e.g. "my-plugin/my-plugin.php", the key WordPress uses in its update data. */
		private $basename;

		/** @var string The plugin's folder name: its slug, and the top folder its ZIPs must have. */
		private $folder;

		/** @var string */
		private $manifest_url;

		/** @var array|null The cache, loaded once per request. */
		private $state = null;

		/** @var bool At most one manifest request per PHP request. */
		private $checked_this_request = false;

		/** @var bool Set by Dashboard > Updates > "Check again". */
		private $force_check = false;

		/**
		 * @var array|null What offer() worked out in this request. WordPress reads its update data a dozen times on the
		 * Plugins screen; the offer changes only with the cache (save_state), the channel or the installed version.
		 */
		private $offer = null;

		/** @var string|null The installed version, read from the main file once per request (and again after an upgrade). */
		private $installed = null;

		/** @var bool Whether an upgrade ran in this request: see installed_version. */
		private $upgraded = false;

		/** @var string|null The site's anonymous id (site_id), once per request. */
		private $site_id = null;

		/**
		 * @var array|null The cached manifest as stored, until something needs it (load_state): validated then, so that
		 * a check which fetches a new manifest never spends time on the old one.
		 */
		private $unread_manifest = null;

		/** @var array|null The trust record as read, once per request (accept_signed keeps it current). */
		private $trust = null;

		/** @var bool Whether register() was given keys: every manifest must then be signed by a trusted one. */
		private $signed = false;

		/** @var string[] The raw 32-byte public keys register() was given. */
		private $keys = array();

		/**
		 * Registers the updater for a plugin. Call it once, from the plugin's main file.
		 *
		 * @param string $plugin_file  The plugin's main file: pass __FILE__.
		 * @param string $manifest_url The http(s) URL of the plugin's info.json.
		 * @param array  $options      'keys': the release manager's Ed25519 public keys (base64); with them, only signed manifests are accepted.
		 */
		public static function register( $plugin_file, $manifest_url, $options = array() ) {
			if ( ! is_string( $plugin_file ) || ! is_string( $manifest_url ) || ! self::is_http_url( $manifest_url ) ) {
				if ( function_exists( '_doing_it_wrong' ) ) {
					_doing_it_wrong( __METHOD__, 'Pass the plugin main file (__FILE__) and the http(s) URL of its info.json.', '1.0' );
				}
				return;
			}
			$basename = plugin_basename( $plugin_file );
			if ( isset( self::$updaters[ $basename ] ) ) {
				return;
			}
			$updater = new self( $plugin_file, $basename, $manifest_url );
			if ( is_array( $options ) && isset( $options['keys'] ) ) {
				// Signed from here on, even if no key is usable: a mistyped key must not turn verification off.
				$updater->signed = true;
				foreach ( (array) $options['keys'] as $key ) {
					$raw = is_string( $key ) ? base64_decode( $key, true ) : false;
					if ( is_string( $raw ) && 32 === strlen( $raw ) ) {
						$updater->keys[] = $raw;
					} elseif ( function_exists( '_doing_it_wrong' ) ) {
						_doing_it_wrong( __METHOD__, 'Each key must be an Ed25519 public key in base64, as `wprm key export-public` prints it.', '1.0' );
					}
				}
			}
			$updater->add_hooks();
			self::$updaters[ $basename ] = $updater;
		}

		private function __construct( string $plugin_file, string $basename, string $manifest_url ) {
			$this->plugin_file  = $plugin_file;
			$this->basename     = $basename;
			$this->folder       = dirname( $basename );
			$this->manifest_url = $manifest_url;
		}

		private function add_hooks() {
			add_filter( 'pre_set_site_transient_update_plugins', array( $this, 'on_update_check' ) );
			add_filter( 'site_transient_update_plugins', array( $this, 'on_update_data_read' ) );
			// Core asks the host of the plugin's "Update URI" header; the header comment says to use the manifest URL.
			$host = wp_parse_url( $this->manifest_url, PHP_URL_HOST );
			if ( is_string( $host ) && '' !== $host ) {
				add_filter( 'update_plugins_' . $host, array( $this, 'on_update_uri_check' ), 10, 3 );
			}
			add_filter( 'plugins_api', array( $this, 'on_plugins_api' ), 10, 3 );
			add_filter( 'upgrader_pre_download', array( $this, 'on_pre_download' ), 10, 4 );
			add_filter( 'upgrader_source_selection', array( $this, 'on_source_selection' ), 10, 4 );
			add_filter( 'auto_update_plugin', array( $this, 'on_auto_update' ), 10, 2 );
			add_action( 'admin_notices', array( $this, 'on_admin_notices' ) );
			add_action( 'network_admin_notices', array( $this, 'on_admin_notices' ) );
			add_action( 'load-update-core.php', array( $this, 'on_update_core_screen' ), 1 );
			add_filter( 'plugin_action_links_' . $this->basename, array( $this, 'on_action_links' ) );
			add_filter( 'network_admin_plugin_action_links_' . $this->basename, array( $this, 'on_action_links' ) );
			add_action( 'admin_post_' . self::CHANNEL_ACTION, array( $this, 'on_channel_request' ) );
			// An upgrade changes the installed version; core deletes its update data then too.
			add_filter( 'upgrader_post_install', array( $this, 'on_upgraded' ) );
			add_action( 'delete_site_transient_update_plugins', array( $this, 'forget_installed' ) );
		}

		/**
		 * Forgets the installed version and the offer worked out from it (an upgrade just ran, or WordPress dropped its
		 * update data): the next use looks it up again.
		 *
		 * @param mixed $passed A filter's value, returned as it is.
		 * @return mixed
		 */
		public function forget_installed( $passed = null ) {
			$this->installed = null;
			$this->offer     = null;
			return $passed;
		}

		/**
		 * An upgrade just ran: the installed version is read from the main file from now on (see installed_version).
		 *
		 * @param mixed $passed The filter's value, returned as it is.
		 * @return mixed
		 */
		public function on_upgraded( $passed = null ) {
			$this->upgraded = true;
			return $this->forget_installed( $passed );
		}

		// ---- WordPress hooks ------------------------------------------------------------------------------

		/**
		 * WordPress is saving its plugin update data (it just checked): add our offer, or list us as up to date.
		 *
		 * @param mixed $update_data The update_plugins site transient.
		 * @return mixed
		 */
		public function on_update_check( $update_data ) {
			return $this->merge_into( $update_data, true );
		}

		/**
		 * WordPress is reading its update data. Our offer is merged in here too, so it is current between core's
		 * 12-hourly checks; the manifest is re-read only where a wait is acceptable (admin, cron, WP-CLI).
		 *
		 * @param mixed $update_data The update_plugins site transient.
		 * @return mixed
		 */
		public function on_update_data_read( $update_data ) {
			$may_check = is_admin() || wp_doing_cron() || ( defined( 'WP_CLI' ) && WP_CLI );
			return $this->merge_into( $update_data, $may_check );
		}

		/**
		 * WordPress 5.8+ asks the host named in a plugin's "Update URI" header.
		 *
		 * @param array|false $update      Update data from another filter, or false.
		 * @param array       $plugin_data Plugin headers.
		 * @param string      $plugin_file Plugin basename.
		 * @return array|false
		 */
		public function on_update_uri_check( $update, $plugin_data, $plugin_file ) {
			if ( $this->basename !== $plugin_file ) {
				return $update;
			}
			$offer = $this->offer( true );
			return (array) $offer['item'];
		}

		/**
		 * "View version details": the plugin information from the manifest.
		 *
		 * @param false|object|array $result Another filter's answer, or false.
		 * @param string             $action The plugins_api action.
		 * @param object             $args   Request arguments; `slug` names the plugin.
		 * @return false|object|array|WP_Error
		 */
		public function on_plugins_api( $result, $action, $args ) {
			if ( false !== $result || 'plugin_information' !== $action || ! is_object( $args ) || ! isset( $args->slug ) || $this->folder !== $args->slug ) {
				return $result;
			}
			$manifest = $this->manifest( true );
			if ( null === $manifest ) {
				// Answering false would send WordPress to wordpress.org, which may know another plugin by this slug.
				return new WP_Error( 'wprm_updater_unavailable', sprintf( 'The details of %1$s are not available: %2$s', $this->display_name(), esc_html( $this->last_error() ) ) );
			}
			// The version this site is offered (its channel, its rollout, a stepping stone), as its update row names it.
			$installed = $this->installed_version();
			return $this->plugin_information( '' !== $installed ? $this->offered( $manifest, $installed ) : $manifest );
		}

		/**
		 * Downloads our packages ourselves and installs nothing whose size and SHA-256 differ from the manifest's.
		 *
		 * @param mixed       $reply      False, or another filter's download result.
		 * @param string      $package    The package URL.
		 * @param WP_Upgrader $upgrader   The running upgrader.
		 * @param array       $hook_extra What is being upgraded (WordPress 5.5+).
		 * @return mixed The downloaded file's path, a WP_Error, or $reply for packages that are not ours.
		 */
		public function on_pre_download( $reply, $package, $upgrader = null, $hook_extra = array() ) {
			if ( false !== $reply || ! is_string( $package ) ) {
				return $reply;
			}
			$expected = $this->expected_package( $package, $hook_extra );
			if ( null === $expected ) {
				return $reply; // Not our package: WordPress downloads it as usual.
			}
			if ( is_wp_error( $expected ) ) {
				return $expected;
			}
			if ( $upgrader instanceof WP_Upgrader && isset( $upgrader->skin ) ) {
				$upgrader->skin->feedback( sprintf( 'Downloading %1$s %2$s from %3$s and checking its SHA-256&#8230;', esc_html( $this->display_name() ), esc_html( $expected['version'] ), esc_html( $package ) ) );
			}
			return $this->download_verified( $package, $expected );
		}

		/**
		 * Refuses a package whose top folder is not the plugin's: WordPress would install it beside the plugin.
		 *
		 * @param string|WP_Error $source        The unpacked package's top folder.
		 * @param string          $remote_source The folder it was unpacked in.
		 * @param WP_Upgrader     $upgrader      The running upgrader.
		 * @param array           $hook_extra    What is being upgraded.
		 * @return string|WP_Error
		 */
		public function on_source_selection( $source, $remote_source = '', $upgrader = null, $hook_extra = array() ) {
			$ours = is_array( $hook_extra ) && isset( $hook_extra['plugin'] ) && $this->basename === $hook_extra['plugin'];
			// A single-file plugin has no folder to compare (it could not carry this file beside it anyway).
			if ( ! $ours || ! is_string( $source ) || '.' === $this->folder ) {
				return $source;
			}
			$top = basename( untrailingslashit( $source ) );
			if ( $top === $this->folder ) {
				return $source;
			}
			return new WP_Error(
				'wprm_updater_wrong_folder',
				sprintf(
					'The update package of %1$s unpacks into the folder "%2$s", but the plugin is installed in "%3$s". It was not installed, so that the site does not end up with two copies of the plugin.',
					$this->display_name(),
					esc_html( $top ),
					esc_html( $this->folder )
				)
			);
		}

		/**
		 * force_update: lets WordPress's automatic updater install the offered version without an admin.
		 *
		 * @param bool|null $update Whether WordPress would update it so far.
		 * @param object    $item   The update offer.
		 * @return bool|null
		 */
		public function on_auto_update( $update, $item ) {
			if ( ! is_object( $item ) || ! isset( $item->plugin, $item->new_version ) || $this->basename !== $item->plugin ) {
				return $update;
			}
			$offer  = $this->offer( false );
			$forced = $offer['available'] && ! empty( $offer['item']->autoupdate ) && $offer['item']->new_version === $item->new_version;
			return $forced ? true : $update;
		}

		/** Tells admins why a lower version is offered, and, on the update screens, that the last check failed. */
		public function on_admin_notices() {
			if ( ! current_user_can( 'update_plugins' ) ) {
				return;
			}
			$state     = $this->load_state();
			$installed = $this->installed_version();
			if ( null !== $state['manifest'] && '' !== $installed && $this->is_withdrawn( $state['manifest'], $installed ) ) {
				$this->print_notice( 'warning', $this->withdrawn_message( $this->offered( $state['manifest'], $installed ), $installed ) );
			}
			if ( ! $this->on_update_screen() ) {
				return;
			}
			if ( $state['failures'] > 0 && $state['refused'] ) {
				$this->print_notice(
					'error',
					sprintf( 'Updates for %1$s were refused: %2$s No update is offered until the update server serves a manifest signed by a trusted key.', $this->display_name(), $state['error'] )
				);
			} elseif ( $state['failures'] > 0 ) {
				$this->print_notice(
					'warning',
					sprintf( 'Updates for %1$s could not be checked: %2$s WordPress will try again later.', $this->display_name(), $state['error'] )
				);
			} elseif ( null !== $state['manifest'] && $this->expired( $state['manifest'] ) ) {
				$this->print_notice(
					'error',
					sprintf( 'Updates for %1$s were refused: %2$s No update is offered until the update server serves a newer signed manifest.', $this->display_name(), $this->expired_message( $state['manifest'] ) )
				);
			}
		}

		/** Dashboard > Updates > "Check again" re-reads the manifest even when the cache is fresh. */
		public function on_update_core_screen() {
			// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the same read-only flag core honours.
			if ( ! empty( $_GET['force-check'] ) && current_user_can( 'update_plugins' ) ) {
				$this->force_check = true;
			}
		}

		/**
		 * The plugin's row on the Plugins screen: "Get beta updates" or "Back to stable", for those who may update.
		 *
		 * @param array $links The row's action links.
		 * @return array
		 */
		public function on_action_links( $links ) {
			if ( ! is_array( $links ) || ! current_user_can( 'update_plugins' ) ) {
				return $links;
			}
			$to  = 'beta' === $this->channel() ? 'stable' : 'beta';
			$url = add_query_arg(
				array(
					'action'  => self::CHANNEL_ACTION,
					'plugin'  => rawurlencode( $this->folder ),
					'channel' => $to,
				),
				admin_url( 'admin-post.php' )
			);
			$url     = wp_nonce_url( $url, self::CHANNEL_ACTION . '_' . $this->folder );
			$label   = 'beta' === $to ? 'Get beta updates' : 'Back to stable';
			$links[] = sprintf( '<a href="%1$s" class="wprm-updater-channel">%2$s</a>', esc_url( $url ), esc_html( $label ) );
			return $links;
		}

		/** The row link's request: checked (capability, nonce), stored, then back to the Plugins screen. */
		public function on_channel_request() {
			// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- which plugin the request is for; the nonce is checked below.
			if ( ! isset( $_GET['plugin'] ) || $this->folder !== wp_unslash( $_GET['plugin'] ) ) {
				return; // Another plugin's updater answers it.
			}
			if ( ! current_user_can( 'update_plugins' ) ) {
				wp_die( esc_html__( 'Sorry, you are not allowed to update plugins for this site.' ), 403 );
			}
			check_admin_referer( self::CHANNEL_ACTION . '_' . $this->folder );
			$this->set_channel( isset( $_GET['channel'] ) && 'beta' === $_GET['channel'] ? 'beta' : 'stable' );
			wp_safe_redirect( self_admin_url( 'plugins.php' ) );
			exit;
		}

		/**
		 * The channel this site takes the plugin's updates from: the Plugins screen's choice, else the constant
		 * WPRM_UPDATER_CHANNEL ('beta' or 'stable') from wp-config.php, else 'stable'; then the filter
		 * `wprm_updater_channel` ($channel, $folder). Anything but 'beta' is 'stable'.
		 */
		public function channel(): string {
			$chosen  = $this->chosen_channel();
			$default = defined( 'WPRM_UPDATER_CHANNEL' ) && 'beta' === WPRM_UPDATER_CHANNEL ? 'beta' : 'stable';
			$channel = in_array( $chosen, array( 'stable', 'beta' ), true ) ? $chosen : $default;
			return 'beta' === apply_filters( 'wprm_updater_channel', $channel, $this->folder ) ? 'beta' : 'stable';
		}

		/** The Plugins screen's choice (a small option: see read_small_option). */
		private function chosen_channel(): string {
			$chosen = self::read_small_option( self::CHANNEL_OPTION_PREFIX . $this->folder );
			return is_string( $chosen ) ? $chosen : '';
		}

		/** Stores the site's channel for this plugin. The offer follows at once: it is worked out from the cached manifest. */
		private function set_channel( string $channel ) {
			self::write_small_option( self::CHANNEL_OPTION_PREFIX . $this->folder, $channel );
			$this->offer = null;
			delete_site_transient( 'update_plugins' ); // So that core checks again, and drops an offer of the other channel.
		}

		// ---- The offer ------------------------------------------------------------------------------------

		/**
		 * Puts our entry into WordPress's update data: under `response` when there is an offer, under `no_update`
		 * otherwise (WordPress shows the auto-update toggle only for plugins listed in one of them).
		 *
		 * @param mixed $update_data The update_plugins site transient.
		 * @param bool  $may_check   Whether the manifest may be fetched if the cache is due.
		 * @return mixed
		 */
		private function merge_into( $update_data, bool $may_check ) {
			if ( ! is_object( $update_data ) ) {
				return $update_data;
			}
			$offer = $this->offer( $may_check );
			if ( null === $offer['item'] ) {
				return $update_data;
			}
			foreach ( array( 'response', 'no_update' ) as $list ) {
				if ( ! isset( $update_data->$list ) || ! is_array( $update_data->$list ) ) {
					$update_data->$list = array();
				}
				unset( $update_data->{$list}[ $this->basename ] );
			}
			$list                                  = $offer['available'] ? 'response' : 'no_update';
			$update_data->{$list}[ $this->basename ] = $offer['item'];
			return $update_data;
		}

		/**
		 * What this site is offered now: worked out once per request and kept until the cache, the channel or the
		 * installed version changes (a check that is due runs first, as before). Each caller gets its own copy of the
		 * item, since WordPress may change what it is given.
		 *
		 * @param bool $may_check Whether the manifest may be fetched if the cache is due.
		 * @return array{available: bool, item: object|null}
		 */
		private function offer( bool $may_check ): array {
			if ( null === $this->offer || ( $may_check && $this->is_due( $this->load_state( false ) ) ) ) {
				$this->offer = $this->work_out_offer( $may_check );
			}
			$offer = $this->offer;
			if ( null !== $offer['item'] ) {
				$offer['item'] = clone $offer['item'];
			}
			return $offer;
		}

		/** @return array{available: bool, item: object|null} */
		private function work_out_offer( bool $may_check ): array {
			$installed = $this->installed_version();
			if ( '' === $installed ) {
				return array( 'available' => false, 'item' => null );
			}
			$manifest = $this->manifest( $may_check );
			$manifest = null !== $manifest ? $this->offered( $manifest, $installed ) : null;
			if ( null !== $manifest && $this->should_offer( $manifest, $installed ) ) {
				return array( 'available' => true, 'item' => $this->offer_item( $manifest, $installed ) );
			}
			return array( 'available' => false, 'item' => $this->up_to_date_item( $manifest, $installed ) );
		}

		/**
		 * The manifest as this site reads it: its top fields describe the version chosen for this site's channel,
		 * rollout bucket and stepping stones (WPRM_Updater_Offer_1_0::choose), in place of the stable offer.
		 */
		private function offered( array $manifest, string $installed ): array {
			$meets  = function ( $requires, $requires_php ) {
				return ( null === $requires || is_wp_version_compatible( $requires ) ) && ( null === $requires_php || is_php_version_compatible( $requires_php ) );
			};
			$bucket = WPRM_Updater_Offer_1_0::bucket( $this->site_id() );
			$chosen = WPRM_Updater_Offer_1_0::choose( $manifest, $installed, $this->channel(), $bucket, time(), $meets );
			if ( null === $chosen || $chosen['version'] === $manifest['version'] ) {
				return $manifest;
			}
			$wanted = version_compare( $chosen['version'], $installed, '>' ) || ( $this->is_withdrawn( $manifest, $installed ) && $chosen['version'] !== $installed );
			if ( ! $wanted ) {
				return $manifest; // Nothing to offer: the "up to date" entry names the stable offer and its requirements, as before.
			}
			return array_merge(
				$manifest,
				array(
					'version'        => $chosen['version'],
					'download_url'   => $chosen['download_url'],
					'sha256'         => $chosen['sha256'],
					'size'           => $chosen['size'],
					'force_update'   => $chosen['force_update'],
					'autoupdate'     => false,
					'requires'       => $chosen['requires'],
					'requires_php'   => $chosen['requires_php'],
					'upgrade_notice' => '', // The manifest's notice is the stable offer's.
				)
			);
		}

		/**
		 * A higher version, or any other live version when the installed one was withdrawn; in both cases only
		 * when the site meets its requirements (as core does for wordpress.org plugins).
		 */
		private function should_offer( array $manifest, string $installed ): bool {
			$higher    = version_compare( $manifest['version'], $installed, '>' );
			$replaces  = $this->is_withdrawn( $manifest, $installed ) && $manifest['version'] !== $installed;
			$wanted    = $higher || $replaces;
			$meets_wp  = null === $manifest['requires'] || is_wp_version_compatible( $manifest['requires'] );
			$meets_php = null === $manifest['requires_php'] || is_php_version_compatible( $manifest['requires_php'] );
			return $wanted && $meets_wp && $meets_php;
		}

		private function is_withdrawn( array $manifest, string $version ): bool {
			if ( in_array( $version, $manifest['revoked'], true ) ) {
				return true;
			}
			foreach ( $manifest['versions'] as $entry ) {
				if ( $entry['version'] === $version && $entry['revoked'] ) {
					return true;
				}
			}
			return false;
		}

		/** The entry WordPress installs from; `autoupdate` is what core's automatic updater looks at first. */
		private function offer_item( array $manifest, string $installed ) {
			$withdrawn = $this->is_withdrawn( $manifest, $installed );
			$item      = $this->base_item( $manifest );

			$item->new_version    = $manifest['version'];
			$item->package        = $manifest['download_url'];
			$item->autoupdate     = $manifest['force_update'] || $manifest['autoupdate'];
			$item->upgrade_notice = $withdrawn ? $this->withdrawn_message( $manifest, $installed ) : WPRM_Updater_Html_1_0::text( $manifest['upgrade_notice'] );
			return $item;
		}

		/** The `no_update` entry: the installed version, nothing to download. */
		private function up_to_date_item( $manifest, string $installed ) {
			$item              = $this->base_item( $manifest );
			$item->new_version = $installed;
			$item->package     = '';
			return $item;
		}

		private function base_item( $manifest ) {
			$known = is_array( $manifest );
			return (object) array(
				'id'           => $this->manifest_url,
				'slug'         => $this->folder,
				'plugin'       => $this->basename,
				'new_version'  => '',
				'url'          => $known ? WPRM_Updater_Html_1_0::url( $manifest['homepage'] ) : '',
				'package'      => '',
				'icons'        => $known ? $manifest['icons'] : array(),
				'banners'      => $known ? $manifest['banners'] : array(),
				'banners_rtl'  => array(),
				'tested'       => $known ? WPRM_Updater_Html_1_0::text( $manifest['tested'] ) : '',
				'requires'     => $known ? (string) $manifest['requires'] : '',
				'requires_php' => $known ? (string) $manifest['requires_php'] : '',
				'autoupdate'   => false,
			);
		}

		private function withdrawn_message( array $manifest, string $installed ): string {
			$withdrawn = sprintf( '%1$s %2$s was withdrawn by its developer.', $this->display_name(), $installed );
			if ( ! $this->should_offer( $manifest, $installed ) ) {
				return $withdrawn . ' No replacement works on this site yet.';
			}
			$lower = version_compare( $manifest['version'], $installed, '<' ) ? ', even though its number is lower' : '';
			return sprintf( '%1$s Update it to version %2$s: it replaces the withdrawn version%3$s.', $withdrawn, $manifest['version'], $lower );
		}

		/**
		 * The plugins_api answer, in the shape of wordpress.org's. Every text is made safe here, whoever wrote the
		 * manifest: WordPress 6.1 prints the name unfiltered ("<h2>{$api->name}</h2>").
		 *
		 * @return object
		 */
		private function plugin_information( array $manifest ) {
			return (object) array(
				'name'          => WPRM_Updater_Html_1_0::text( $manifest['name'] ),
				'slug'          => $this->folder,
				'version'       => $manifest['version'],
				'author'        => WPRM_Updater_Html_1_0::text( $manifest['author'] ),
				'homepage'      => WPRM_Updater_Html_1_0::url( $manifest['homepage'] ),
				'requires'      => $manifest['requires'],
				'tested'        => WPRM_Updater_Html_1_0::text( $manifest['tested'] ),
				'requires_php'  => $manifest['requires_php'],
				'last_updated'  => WPRM_Updater_Html_1_0::text( $manifest['last_updated'] ),
				'sections'      => array_map( array( 'WPRM_Updater_Html_1_0', 'html' ), $manifest['sections'] ),
				'download_link' => $manifest['download_url'],
				'banners'       => $manifest['banners'],
				'icons'         => $manifest['icons'],
				'external'      => true,
			);
		}

		// ---- Verified download ----------------------------------------------------------------------------

		/**
		 * The manifest's size and SHA-256 for a package URL; null when the package is not ours, a WP_Error when it
		 * is ours but not listed (nothing to check it against, so it must not be installed).
		 *
		 * @return array{version: string, sha256: string, size: int}|WP_Error|null
		 */
		private function expected_package( string $package, $hook_extra ) {
			$listed = $this->listed_package( $this->manifest( false ), $package );
			if ( null !== $listed ) {
				return $listed;
			}
			$updating_us = is_array( $hook_extra ) && isset( $hook_extra['plugin'] ) && $this->basename === $hook_extra['plugin'];
			$in_our_dir  = 0 === strpos( $package, trailingslashit( dirname( $this->manifest_url ) ) );
			if ( ! $updating_us && ! $in_our_dir ) {
				return null;
			}
			// The offer came from an older manifest, or the cache was cleared since: read the current one before refusing.
			$this->force_check = true;
			$listed            = $this->listed_package( $this->manifest( true ), $package );
			if ( null !== $listed ) {
				return $listed;
			}
			return new WP_Error(
				'wprm_updater_unknown_package',
				sprintf( 'The package %1$s is not listed in the manifest of %2$s, so its checksum cannot be checked. It was not installed.', esc_html( $package ), $this->display_name() )
			);
		}

		private function listed_package( $manifest, string $package ) {
			if ( null === $manifest ) {
				return null;
			}
			if ( $manifest['download_url'] === $package ) {
				return array( 'version' => $manifest['version'], 'sha256' => $manifest['sha256'], 'size' => $manifest['size'] );
			}
			foreach ( $manifest['versions'] as $entry ) {
				if ( $entry['download_url'] === $package ) {
					return array( 'version' => $entry['version'], 'sha256' => $entry['sha256'], 'size' => $entry['size'] );
				}
			}
			return null;
		}

		/**
		 * Downloads a package into a temporary file, cut off one byte past the manifest's size (a server sending
		 * endless data is stopped there, not after the timeout), then checks its size and SHA-256.
		 *
		 * @return string|WP_Error The path of the downloaded, verified package.
		 */
		private function download_verified( string $package, array $expected ) {
			if ( ! function_exists( 'wp_tempnam' ) ) {
				require_once ABSPATH . 'wp-admin/includes/file.php';
			}
			$file  = wp_tempnam( $package );
			$limit = $expected['size'];
			$cut   = false;
			// cURL keeps receiving (and Requests dropping) bytes past limit_response_size: abort the transfer itself.
			$abort = function ( $handle ) use ( $limit, &$cut ) {
				if ( defined( 'CURLOPT_XFERINFOFUNCTION' ) ) {
					curl_setopt( $handle, CURLOPT_NOPROGRESS, false );
					curl_setopt(
						$handle,
						CURLOPT_XFERINFOFUNCTION,
						function ( $ch, $total, $received ) use ( $limit, &$cut ) {
							if ( $received > $limit ) {
								$cut = true;
								return 1;
							}
							return 0;
						}
					);
				}
			};
			add_action( 'http_api_curl', $abort );
			$response = $this->request(
				'download',
				$package,
				array(
					'timeout'             => self::DOWNLOAD_TIMEOUT,
					'stream'              => true,
					'filename'            => $file,
					'limit_response_size' => $limit + 1,
				)
			);
			remove_action( 'http_api_curl', $abort );
			clearstatcache( true, $file );
			$size = @filesize( $file ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- a missing file is a failed download.
			if ( $cut || ( is_int( $size ) && $size > $limit ) ) {
				wp_delete_file( $file );
				return new WP_Error(
					'wprm_updater_checksum_mismatch',
					sprintf( 'The update package of %1$s %2$s is larger than its signed size of %3$d bytes: the download was stopped there. It was not installed; the installed version is unchanged.', $this->display_name(), $expected['version'], $limit )
				);
			}
			$code = is_wp_error( $response ) ? 0 : (int) wp_remote_retrieve_response_code( $response );
			if ( 200 !== $code ) {
				wp_delete_file( $file );
				$why = is_wp_error( $response ) ? $response->get_error_message() : ( 401 === $code || 403 === $code ? sprintf( 'the server refused access (HTTP %d): check the license key or the credentials this plugin sends.', $code ) : sprintf( 'HTTP %d.', $code ) );
				return new WP_Error(
					'wprm_updater_download_failed',
					sprintf( 'The update package of %1$s could not be downloaded from %2$s: %3$s', $this->display_name(), esc_html( $package ), esc_html( $why ) )
				);
			}
			$problem = $this->package_problem( $file, $expected );
			if ( null === $problem ) {
				return $file;
			}
			wp_delete_file( $file );
			return new WP_Error(
				'wprm_updater_checksum_mismatch',
				sprintf(
					'The update package of %1$s %2$s failed the checksum check: %3$s It was not installed; the installed version is unchanged.',
					$this->display_name(),
					$expected['version'],
					$problem
				)
			);
		}

		/** Why the file is not the package the manifest describes, or null when it is. */
		private function package_problem( string $file, array $expected ) {
			$size = @filesize( $file ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- a vanished file is reported below.
			if ( $size !== $expected['size'] ) {
				return sprintf( 'it has %1$s bytes, the manifest says %2$d.', false === $size ? 'no' : (string) $size, $expected['size'] );
			}
			$sha256 = hash_file( 'sha256', $file );
			if ( ! is_string( $sha256 ) || ! hash_equals( $expected['sha256'], $sha256 ) ) {
				return sprintf( 'its SHA-256 is %1$s, the manifest says %2$s.', is_string( $sha256 ) ? $sha256 : 'unreadable', $expected['sha256'] );
			}
			return null;
		}

		// ---- Manifest cache -------------------------------------------------------------------------------

		/**
		 * The cached manifest, re-read first when allowed and due.
		 *
		 * @return array|null The validated manifest, or null when none was ever read.
		 */
		private function manifest( bool $may_check ) {
			$state = $this->load_state( false );
			$state = $may_check && $this->is_due( $state ) ? $this->check_now( $state ) : $this->load_state();
			// A signed manifest past its expiry is not used, even from the cache: a frozen server cannot hold sites on it.
			return null !== $state['manifest'] && $this->expired( $state['manifest'] ) ? null : $state['manifest'];
		}

		private function is_due( array $state ): bool {
			if ( $this->checked_this_request ) {
				return false;
			}
			if ( $this->force_check ) {
				return true;
			}
			$now = time();
			// A next check further away than the longest cache means the clock went back: do not wait for it.
			$due = $now >= $state['next_check'] || $state['next_check'] - $now > self::MAX_CACHE_SECONDS;
			return $due && ! $this->claimed( $now );
		}

		/**
		 * Whether another request claimed a check less than CHECK_CLAIM_SECONDS ago in the claim option (a database
		 * without named locks). Read only once the cache is due; on a single site from the options WordPress loads anyway.
		 */
		private function claimed( int $now ): bool {
			$until = self::read_small_option( self::CLAIM_OPTION_PREFIX . $this->folder );
			$until = is_numeric( $until ) ? (int) $until : 0;
			// A claim further away than its own length means the clock went back: it holds nothing.
			return $until > $now && $until - $now <= self::CHECK_CLAIM_SECONDS;
		}

		/**
		 * Claims the check, so that requests meanwhile use the cache instead of waiting on the same server too: with the
		 * database's named lock (GET_LOCK, which MySQL and MariaDB have), held until unlock_check or the end of this
		 * request's connection, so a request that dies holds nothing; it costs a query, where writing a claim costs a
		 * commit. Without named locks (another database behind $wpdb), the claim option for CHECK_CLAIM_SECONDS.
		 *
		 * @return string|false 'lock' or 'claim'; false while another request holds the lock.
		 */
		private function lock_check() {
			global $wpdb;
			$quiet = $wpdb->suppress_errors( true ); // a database without GET_LOCK answers with an error: the claim then
			// The name is lock_name()'s letters, digits and underscores only: nothing to escape, so no prepare() to pay for.
			$got = $wpdb->get_var( "SELECT GET_LOCK('" . $this->lock_name() . "', 0)" ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
			$wpdb->suppress_errors( $quiet );
			if ( '1' === (string) $got ) {
				return 'lock';
			}
			if ( '0' === (string) $got ) {
				return false;
			}
			self::write_small_option( self::CLAIM_OPTION_PREFIX . $this->folder, time() + self::CHECK_CLAIM_SECONDS );
			return 'claim';
		}

		/**
		 * Lets go of what lock_check took. A claim runs out by itself. The named lock ends with the request's database
		 * connection, so a web request leaves it to that, without a query; a process that may go on long after its
		 * check (the command line: WP-CLI, cron runners) or keeps its connection (a persistent one, "p:" in DB_HOST)
		 * releases it at once.
		 *
		 * @param string $lock 'lock' or 'claim'.
		 */
		private function unlock_check( string $lock ) {
			global $wpdb;
			$goes_on = 'cli' === PHP_SAPI || wp_doing_cron() || 0 === strpos( (string) $wpdb->dbhost, 'p:' );
			if ( 'lock' === $lock && $goes_on ) {
				$wpdb->get_var( "SELECT RELEASE_LOCK('" . $this->lock_name() . "')" ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
			}
		}

		/**
		 * The named lock's name: the database server's locks are shared by all its databases, so it names this site's
		 * database, table prefix and network besides the plugin (hashed: a name has at most 64 characters).
		 */
		private function lock_name(): string {
			global $wpdb;
			$site = ( defined( 'DB_NAME' ) ? DB_NAME : '' ) . '|' . $wpdb->base_prefix . '|' . ( is_multisite() ? get_current_network_id() : 0 );
			return 'wprm_updater_lock_' . md5( $site . '|' . $this->folder );
		}

		/**
		 * Fetches the manifest and records the outcome; a failure keeps the last good manifest and backs off. While
		 * another request checks, the cache as it is.
		 */
		private function check_now( array $state ): array {
			$this->checked_this_request = true;
			$this->force_check          = false;
			$lock                       = $this->lock_check();
			if ( false === $lock ) {
				return $this->load_state();
			}
			try {
				return $this->check_locked( $state );
			} finally {
				$this->unlock_check( $lock );
			}
		}

		private function check_locked( array $state ): array {
			$fetched = $this->fetch_manifest( $state );
			$now     = time();
			if ( is_wp_error( $fetched ) ) {
				$failures = min( $state['failures'] + 1, 20 );
				$state    = array_merge(
					$this->load_state(), // with the last good manifest
					array(
						'checked_at' => $now,
						'next_check' => $now + min( self::FIRST_BACKOFF_SECONDS * ( 2 ** ( $failures - 1 ) ), self::MAX_CACHE_SECONDS ),
						'failures'   => $failures,
						'error'      => $fetched->get_error_message(),
						'refused'    => 0 === strpos( (string) $fetched->get_error_code(), 'wprm_updater_refused' ),
					)
				);
			} else {
				$cache = $fetched['manifest']['update_ready'] ? self::UPDATE_READY_CACHE_SECONDS : self::CACHE_SECONDS;
				$state = array_merge(
					$state,
					$fetched,
					array(
						'checked_at' => $now,
						'next_check' => $now + min( $cache, self::MAX_CACHE_SECONDS ),
						'failures'   => 0,
						'error'      => '',
						'refused'    => false,
					)
				);
			}
			$this->save_state( $state );
			return $state;
		}

		/**
		 * One check of the manifest, in three steps kept apart: fetch (one conditional GET), verify (the signature inside
		 * it, when register() was given keys), parse (the signed message only: every field, then the signed rules: slug,
		 * manifest_version, expiry). Only a manifest that passes all three is accepted and remembered.
		 *
		 * @return array{manifest: array, etag: string, last_modified: string}|WP_Error
		 */
		private function fetch_manifest( array $state ) {
			$fetched = $this->fetch_manifest_bytes( $state );
			if ( ! is_wp_error( $fetched ) && null === $fetched['body'] ) {
				// 304: the cached manifest was verified when it was accepted. One that no longer reads as a manifest (it
				// is validated only now) is fetched again, whole.
				$cached = $this->load_state()['manifest'];
				if ( null !== $cached ) {
					unset( $fetched['body'] );
					$fetched['manifest'] = $cached;
					return $fetched;
				}
				$fetched = $this->fetch_manifest_bytes( $state );
			}
			if ( is_wp_error( $fetched ) ) {
				return $fetched;
			}
			$message = $this->verify_manifest( $fetched['body'] );
			if ( is_wp_error( $message ) ) {
				return $message;
			}
			$data = json_decode( $message, true );
			if ( JSON_ERROR_NONE !== json_last_error() ) {
				return new WP_Error( 'wprm_updater_malformed', sprintf( 'the manifest at %1$s is not valid JSON (%2$s).', $this->manifest_url, json_last_error_msg() ) );
			}
			$manifest = $this->parse_manifest( $data );
			if ( is_wp_error( $manifest ) ) {
				return $this->signed ? new WP_Error( 'wprm_updater_refused_malformed', $manifest->get_error_message() ) : $manifest;
			}
			if ( $this->signed ) {
				$accepted = $this->accept_signed( $data, $message );
				if ( is_wp_error( $accepted ) ) {
					return $accepted;
				}
			}
			return array(
				'manifest'      => $manifest,
				'etag'          => $fetched['etag'],
				'last_modified' => $fetched['last_modified'],
			);
		}

		/**
		 * Fetch: the manifest's bytes (null body on a 304), at most MAX_MANIFEST_BYTES, never from another host.
		 *
		 * @return array{body: string|null, etag: string, last_modified: string}|WP_Error
		 */
		private function fetch_manifest_bytes( array $state ) {
			$headers = array( 'Accept' => 'application/json' );
			// Only with a manifest in hand: a 304 to a request without one would leave nothing to use.
			$conditional = $this->has_cached_manifest();
			if ( $conditional ) {
				if ( '' !== $state['etag'] ) {
					$headers['If-None-Match'] = $state['etag'];
				}
				if ( '' !== $state['last_modified'] ) {
					$headers['If-Modified-Since'] = $state['last_modified'];
				}
			}
			$response = $this->request(
				'manifest',
				$this->report_url(),
				array(
					'timeout'             => self::MANIFEST_TIMEOUT,
					// One byte more than the cap: a longer manifest is told apart from one exactly at it.
					'limit_response_size' => self::MAX_MANIFEST_BYTES + 1,
					'headers'             => $headers,
				)
			);
			if ( is_wp_error( $response ) ) {
				return $response;
			}
			$code = (int) wp_remote_retrieve_response_code( $response );
			if ( 304 === $code && $conditional ) {
				return array(
					'body'          => null,
					'etag'          => $this->header( $response, 'etag', $state['etag'] ),
					'last_modified' => $this->header( $response, 'last-modified', $state['last_modified'] ),
				);
			}
			if ( 401 === $code || 403 === $code ) {
				return new WP_Error( 'wprm_updater_denied', sprintf( 'the update server refused access to %1$s (HTTP %2$d): check the license key or the credentials this plugin sends.', $this->manifest_url, $code ) );
			}
			if ( 200 !== $code ) {
				return new WP_Error( 'wprm_updater_http_status', sprintf( 'the update server answered HTTP %1$d for %2$s.', $code, $this->manifest_url ) );
			}
			$body = wp_remote_retrieve_body( $response );
			if ( strlen( $body ) > self::MAX_MANIFEST_BYTES ) {
				return new WP_Error( 'wprm_updater_refused_size', sprintf( 'the manifest at %1$s is larger than %2$d bytes, more than any manifest needs; it was not read.', $this->manifest_url, self::MAX_MANIFEST_BYTES ) );
			}
			return array(
				'body'          => $body,
				'etag'          => $this->header( $response, 'etag', '' ),
				'last_modified' => $this->header( $response, 'last-modified', '' ),
			);
		}

		/**
		 * A GET for the manifest or a package, through the `wprm_updater_request` filter (URL, headers,
		 * query: a license key, an Authorization header). Redirects are followed only on the same host: the manifest is
		 * never read from a host the site was not told to trust.
		 *
		 * @return array|WP_Error The response.
		 */
		private function request( string $kind, string $url, array $args ) {
			$request = apply_filters(
				'wprm_updater_request',
				array(
					'url'     => $url,
					'headers' => isset( $args['headers'] ) ? $args['headers'] : array(),
					'query'   => array(),
				),
				$kind,
				$this->folder
			);
			if ( is_array( $request ) ) {
				$url             = isset( $request['url'] ) && self::is_http_url( $request['url'] ) ? $request['url'] : $url;
				$args['headers'] = isset( $request['headers'] ) && is_array( $request['headers'] ) ? $request['headers'] : array();
				if ( isset( $request['query'] ) && is_array( $request['query'] ) && array() !== $request['query'] ) {
					$url = add_query_arg( array_map( 'rawurlencode', array_map( 'strval', $request['query'] ) ), $url );
				}
			}
			// WordPress's default user agent carries the home URL, which the anonymous report never sends.
			$args['user-agent']  = 'WordPress/' . get_bloginfo( 'version' ) . '; wprm-updater/1.0';
			// A package may come from a CDN (its SHA-256 is signed); the manifest only from its own host.
			$args['redirection'] = 'download' === $kind ? self::MAX_REDIRECTS : 0;
			$host                = strtolower( (string) wp_parse_url( $url, PHP_URL_HOST ) );
			for ( $hop = 0; ; $hop++ ) {
				$response = 'download' === $kind ? wp_safe_remote_get( $url, $args ) : wp_remote_get( $url, $args );
				if ( is_wp_error( $response ) ) {
					return new WP_Error( 'wprm_updater_unreachable', sprintf( 'the update server did not answer (%s).', $response->get_error_message() ) );
				}
				$code     = (int) wp_remote_retrieve_response_code( $response );
				$location = wp_remote_retrieve_header( $response, 'location' );
				if ( ! in_array( $code, array( 301, 302, 303, 307, 308 ), true ) || ! is_string( $location ) || '' === $location ) {
					return $response;
				}
				$next = WP_Http::make_absolute_url( $location, $url );
				if ( strtolower( (string) wp_parse_url( $next, PHP_URL_HOST ) ) !== $host ) {
					return new WP_Error( 'wprm_updater_refused_redirect', sprintf( 'the update server redirected the %1$s request to another host (%2$s), which is refused.', $kind, esc_html( $next ) ) );
				}
				if ( $hop >= self::MAX_REDIRECTS ) {
					return new WP_Error( 'wprm_updater_http_status', sprintf( 'the update server redirected %1$s more than %2$d times.', $url, self::MAX_REDIRECTS ) );
				}
				$url = $next;
			}
		}

		// ---- Signature verification -------------------------------------------------------------------------

		/** The keys this site trusts: those a verified manifest named last (a rotation), else register()'s. */
		private function trusted_keys(): array {
			$trust = $this->load_trust();
			return null !== $trust['keys'] ? $trust['keys'] : $this->keys;
		}

		/** A key's id: the first 16 hex digits of the SHA-256 of the raw public key (as WP Release Manager names it). */
		private static function key_id( string $raw_key ): string {
			return substr( hash( 'sha256', $raw_key ), 0, 16 );
		}

		/**
		 * Verify: the signature inside the manifest (split_signed) of its message, by a trusted key. The message when
		 * valid (the body itself when the plugin is not signed), a WP_Error naming the cause otherwise.
		 *
		 * @return string|WP_Error
		 */
		private function verify_manifest( string $body ) {
			$split = self::split_signed( $body );
			if ( ! $this->signed ) {
				return null === $split ? $body : $split['message'];
			}
			if ( null === $split ) {
				return $this->refused( 'signature', sprintf( 'the manifest at %s carries no signature (no "signatures" member at its end).', $this->manifest_url ) );
			}
			$trusted = array();
			foreach ( $this->trusted_keys() as $key ) {
				$trusted[ self::key_id( $key ) ] = $key;
			}
			$unknown = array();
			foreach ( $split['signatures'] as $entry ) {
				if ( ! isset( $trusted[ $entry['keyid'] ] ) ) {
					$unknown[] = $entry['keyid'];
					continue;
				}
				$sig = base64_decode( $entry['sig'], true );
				if ( is_string( $sig ) && 64 === strlen( $sig ) && self::verify_detached( $sig, $split['message'], $trusted[ $entry['keyid'] ] ) ) {
					return $split['message'];
				}
				return $this->refused( 'signature', sprintf( 'the signature of the manifest at %1$s by key %2$s is invalid: the manifest was changed after it was signed.', $this->manifest_url, $entry['keyid'] ) );
			}
			return $this->refused( 'signature', sprintf( 'the manifest at %1$s is signed by a key this site does not trust (%2$s).', $this->manifest_url, implode( ', ', $unknown ) ) );
		}

		/**
		 * The signed envelope, as WP Release Manager writes it (src-shared/signing.ts, the same rule): a JSON object whose
		 * last member, appended before its closing brace, is ,"signatures":[{"keyid":"<16 hex>","sig":"<base64>"},…],
		 * followed by nothing but the "}" and an optional newline. The signed message is the text without that member.
		 * Only the message is parsed, so nothing after the signature (a duplicate key) can change a field.
		 *
		 * @return array{message: string, signatures: array<int, array{keyid: string, sig: string}>}|null Null without one.
		 */
		private static function split_signed( string $text ) {
			$at = strrpos( $text, self::SIGNATURES_MEMBER );
			if ( false === $at ) {
				return null;
			}
			$entry = '\{"keyid":"([0-9a-f]{16})","sig":"([A-Za-z0-9+\/]{86}==)"\}';
			$list  = '\{"keyid":"[0-9a-f]{16}","sig":"[A-Za-z0-9+\/]{86}=="\}';
			if ( ! preg_match( '/^,"signatures":\[(' . $list . '(?:,' . $list . '){0,' . ( self::MAX_SIGNATURES - 1 ) . '})\](\}\n?)$/D', substr( $text, $at ), $tail ) ) {
				return null;
			}
			preg_match_all( '/' . $entry . '/', $tail[1], $entries, PREG_SET_ORDER );
			$signatures = array();
			foreach ( $entries as $found ) {
				$signatures[] = array(
					'keyid' => $found[1],
					'sig'   => $found[2],
				);
			}
			return array(
				'message'    => substr( $text, 0, $at ) . $tail[2],
				'signatures' => $signatures,
			);
		}

		/** @var string Which Ed25519 implementation verified last: 'sodium' (PHP's extension) or 'sodium_compat' (WordPress's bundled copy). */
		public static $verifier = '';

		/**
		 * Ed25519 verification with PHP's sodium extension, else with WordPress's bundled sodium_compat. Only the
		 * extension's own (internal) function counts as the extension: where its functions are missing or disabled,
		 * sodium_compat's polyfill of that name would call back into the missing function, so its pure-PHP Ed25519 is
		 * called directly.
		 */
		private static function verify_detached( string $signature, string $message, string $public_key ): bool {
			if ( function_exists( 'sodium_crypto_sign_verify_detached' ) && ( new ReflectionFunction( 'sodium_crypto_sign_verify_detached' ) )->isInternal() ) {
				self::$verifier = 'sodium';
				return sodium_crypto_sign_verify_detached( $signature, $message, $public_key );
			}
			if ( ! class_exists( 'ParagonIE_Sodium_Crypto' ) && defined( 'ABSPATH' ) && defined( 'WPINC' ) ) {
				require_once ABSPATH . WPINC . '/sodium_compat/autoload.php';
			}
			self::$verifier = 'sodium_compat';
			try {
				return PHP_INT_SIZE === 4
					? ParagonIE_Sodium_Crypto32::sign_verify_detached( $signature, $message, $public_key )
					: ParagonIE_Sodium_Crypto::sign_verify_detached( $signature, $message, $public_key );
			} catch ( Exception $invalid ) {
				return false;
			}
		}

		/** A refusal: the update is not offered, and the admin notice names the cause. */
		private function refused( string $cause, string $message ): WP_Error {
			return new WP_Error( 'wprm_updater_refused_' . $cause, $message );
		}

		/**
		 * Parse, the signed rules: the manifest is this site's (the slug, checked by parse_manifest), not older than the
		 * highest it accepted (a rollback or a replay), not the same number with other bytes, and not expired. Accepted,
		 * it is remembered, with the keys it names as trusted from now on.
		 *
		 * @return true|WP_Error
		 */
		private function accept_signed( array $data, string $message ) {
			$version = isset( $data['manifest_version'] ) && is_int( $data['manifest_version'] ) ? $data['manifest_version'] : 0;
			if ( $version <= 0 ) {
				return $this->refused( 'malformed', sprintf( 'the signed manifest at %s has no manifest_version.', $this->manifest_url ) );
			}
			$trust  = $this->load_trust();
			$sha256 = hash( 'sha256', $message );
			if ( $version < $trust['manifest_version'] ) {
				return $this->refused( 'rollback', sprintf( 'the manifest at %1$s is #%2$d, older than #%3$d, which this site has accepted already: an old manifest served again (a rollback or replay attack).', $this->manifest_url, $version, $trust['manifest_version'] ) );
			}
			if ( $version === $trust['manifest_version'] && '' !== $trust['sha256'] && ! hash_equals( $trust['sha256'], $sha256 ) ) {
				return $this->refused( 'rollback', sprintf( 'the manifest at %1$s is #%2$d, which this site accepted with other contents: a replayed or forged manifest.', $this->manifest_url, $version ) );
			}
			$expires = self::utc_unix_time( isset( $data['expires'] ) ? $data['expires'] : null );
			if ( null === $expires ) {
				return $this->refused( 'expired', sprintf( 'the signed manifest at %s has no valid expiry date.', $this->manifest_url ) );
			}
			if ( $expires <= time() ) {
				return $this->refused( 'expired', sprintf( 'the manifest at %1$s expired on %2$s: the update server may be frozen on an old release.', $this->manifest_url, gmdate( 'Y-m-d H:i', $expires ) . ' UTC' ) );
			}
			$keys = $trust['keys'];
			if ( isset( $data['keys'] ) && is_array( $data['keys'] ) ) {
				$named = array();
				foreach ( $data['keys'] as $key ) {
					$raw = is_string( $key ) ? base64_decode( $key, true ) : false;
					if ( is_string( $raw ) && 32 === strlen( $raw ) ) {
						$named[] = $raw;
					}
				}
				// A rotation: the keys a trusted manifest names are the ones trusted from now on.
				if ( array() !== $named ) {
					$keys = $named;
				}
			}
			// Kept here; check_now() writes it right after, with the cache, in one option (save_state).
			$this->trust = array(
				'manifest_version' => $version,
				'sha256'           => $sha256,
				'keys'             => $keys,
				'verifier'         => self::$verifier,
			);
			return true;
		}

		/** Whether a signed manifest is past its expiry (never for an unsigned plugin). */
		private function expired( array $manifest ): bool {
			return $this->signed && ( 0 === $manifest['expires'] || $manifest['expires'] <= time() );
		}

		private function expired_message( array $manifest ): string {
			return sprintf( 'the manifest at %1$s expired on %2$s: the update server may be frozen on an old release.', $this->manifest_url, gmdate( 'Y-m-d H:i', $manifest['expires'] ) . ' UTC' );
		}

		/** The trust option: the highest accepted manifest (number and SHA-256) and the keys a rotation named. */
		private function load_trust(): array {
			if ( null === $this->trust ) {
				$this->trust = $this->restore_trust( get_site_option( self::TRUST_OPTION_PREFIX . $this->folder, array() ) );
			}
			return $this->trust;
		}

		/** The trust option as stored, type-checked; anything unusable counts as nothing accepted yet. */
		private function restore_trust( $stored ): array {
			$trust  = array(
				'manifest_version' => 0,
				'sha256'           => '',
				'keys'             => null,
				'verifier'         => '',
			);
			if ( ! is_array( $stored ) ) {
				return $trust;
			}
			if ( isset( $stored['manifest_version'] ) && is_int( $stored['manifest_version'] ) ) {
				$trust['manifest_version'] = $stored['manifest_version'];
			}
			if ( isset( $stored['sha256'] ) && is_string( $stored['sha256'] ) && preg_match( '/^[0-9a-f]{64}$/D', $stored['sha256'] ) ) {
				$trust['sha256'] = $stored['sha256'];
			}
			if ( isset( $stored['keys'] ) && is_array( $stored['keys'] ) ) {
				$keys = array();
				foreach ( $stored['keys'] as $key ) {
					$raw = is_string( $key ) ? base64_decode( $key, true ) : false;
					if ( is_string( $raw ) && 32 === strlen( $raw ) ) {
						$keys[] = $raw;
					}
				}
				$trust['keys'] = array() !== $keys ? $keys : null;
			}
			return $trust;
		}

		/** The trust record as stored: the keys in base64, as register() takes them. */
		private static function stored_trust( array $trust ): array {
			$trust['keys'] = null === $trust['keys'] ? null : array_map( 'base64_encode', $trust['keys'] );
			return $trust;
		}

		/**
		 * The manifest URL with the anonymous install report that the update server's access log records: `site`
		 * (SHA-256 of the home URL, "#" and the plugin's folder: the same site counts once, and the URL is never sent),
		 * `installed`, `wp`, `php`, `locale`, `multisite` (0/1), `channel`. Off when the constant
		 * WPRM_UPDATER_DISABLE_STATS is true or the filter `wprm_updater_send_stats` ($send, $folder) returns false.
		 */
		private function report_url(): string {
			$send = ! ( defined( 'WPRM_UPDATER_DISABLE_STATS' ) && WPRM_UPDATER_DISABLE_STATS );
			if ( ! apply_filters( 'wprm_updater_send_stats', $send, $this->folder ) ) {
				return $this->manifest_url;
			}
			$report = array(
				'site'      => $this->site_id(),
				'installed' => $this->installed_version(),
				'wp'        => (string) get_bloginfo( 'version' ),
				'php'       => PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION . '.' . PHP_RELEASE_VERSION,
				'locale'    => (string) get_locale(),
				'multisite' => is_multisite() ? '1' : '0',
				'channel'   => $this->channel(),
			);
			return add_query_arg( array_map( 'rawurlencode', $report ), $this->manifest_url );
		}

		/**
		 * The site's anonymous id for this plugin: SHA-256 of the home URL, "#" and the plugin's folder. The install
		 * report sends it; the rollout bucket is taken from it, so the update server's log tells who is in a rollout.
		 */
		private function site_id(): string {
			if ( null === $this->site_id ) {
				$this->site_id = hash( 'sha256', network_home_url() . '#' . $this->folder );
			}
			return $this->site_id;
		}

		private function header( $response, string $name, string $fallback ): string {
			$value = wp_remote_retrieve_header( $response, $name );
			return is_string( $value ) && '' !== $value && strlen( $value ) <= 200 ? $value : $fallback;
		}

		/**
		 * The option that holds the cache: the plugin's own, or, for a signed plugin, its trust option. There the cache
		 * sits beside the trust record (their fields do not overlap, and restore_state and restore_trust each read only
		 * their own), so that a check which accepts a manifest writes one option instead of two. Copies of this file
		 * that keep the cache apart still read the trust record from it, and their writes of the record alone read here
		 * as a cold cache.
		 */
		private function state_option(): string {
			return ( $this->signed ? self::TRUST_OPTION_PREFIX : self::OPTION_PREFIX ) . $this->folder;
		}

		/**
		 * The cache, read once per request; with the cached manifest validated, unless $with_manifest is false (then
		 * 'manifest' is null until a later call validates it, or a check replaces it).
		 */
		private function load_state( bool $with_manifest = true ): array {
			if ( null === $this->state ) {
				$stored                  = get_site_option( $this->state_option(), array() );
				$this->state             = $this->restore_state( $stored );
				$this->unread_manifest   = $this->state['manifest'];
				$this->state['manifest'] = null;
				// A signed plugin's trust record is in the same option: read (and unserialized) once for both.
				if ( $this->signed && null === $this->trust ) {
					$this->trust = $this->restore_trust( $stored );
				}
			}
			if ( $with_manifest && null !== $this->unread_manifest ) {
				$manifest                = $this->parse_manifest( $this->unread_manifest );
				$this->unread_manifest   = null;
				$this->state['manifest'] = is_array( $manifest ) ? $manifest : null;
			}
			return $this->state;
		}

		/** Whether the cache holds a manifest (maybe not validated yet): a check then asks with its validators. */
		private function has_cached_manifest(): bool {
			return null !== $this->load_state( false )['manifest'] || null !== $this->unread_manifest;
		}

		/**
		 * Stores the cache, and a signed plugin's trust record with it. Autoloaded on a single site up to
		 * AUTOLOAD_STATE_BYTES (read with WordPress's own options: a check then costs no query for it); a network keeps it
		 * as a network option.
		 */
		private function save_state( array $state ) {
			$this->state           = $state;
			$this->unread_manifest = null; // replaced by the state's (check_now: a new one, or the old one validated)
			$this->offer           = null;
			$stored                = $this->signed ? array_merge( $state, self::stored_trust( $this->load_trust() ) ) : $state;
			if ( is_multisite() ) {
				update_site_option( $this->state_option(), $stored );
				return;
			}
			update_option( $this->state_option(), $stored, strlen( serialize( $stored ) ) <= self::AUTOLOAD_STATE_BYTES );
			// A signed plugin's cache from before it moved in beside the trust record: autoloaded, so found at no cost.
			if ( $this->signed && array_key_exists( self::OPTION_PREFIX . $this->folder, wp_load_alloptions() ) ) {
				delete_option( self::OPTION_PREFIX . $this->folder );
			}
		}

		/** The stored cache, type-checked like anything else read back (its manifest when load_state needs it); an unusable one is a cold cache. */
		private function restore_state( $stored ): array {
			$state = array(
				'url'           => $this->manifest_url,
				'manifest'      => null,
				'etag'          => '',
				'last_modified' => '',
				'checked_at'    => 0,
				'next_check'    => 0,
				'failures'      => 0,
				'error'         => '',
				'refused'       => false,
			);
			// A cache of another URL (the plugin moved servers) says nothing about this one.
			if ( ! is_array( $stored ) || ! isset( $stored['url'] ) || $this->manifest_url !== $stored['url'] ) {
				return $state;
			}
			foreach ( array( 'etag', 'last_modified', 'error' ) as $key ) {
				$state[ $key ] = isset( $stored[ $key ] ) && is_string( $stored[ $key ] ) ? $stored[ $key ] : '';
			}
			foreach ( array( 'checked_at', 'next_check', 'failures' ) as $key ) {
				$state[ $key ] = isset( $stored[ $key ] ) && is_int( $stored[ $key ] ) ? $stored[ $key ] : 0;
			}
			$state['refused'] = isset( $stored['refused'] ) && true === $stored['refused'];
			// As stored: load_state validates it when it is needed.
			$state['manifest'] = isset( $stored['manifest'] ) && is_array( $stored['manifest'] ) ? $stored['manifest'] : null;
			return $state;
		}

		private function last_error(): string {
			$state = $this->load_state();
			return '' !== $state['error'] ? $state['error'] : 'the manifest has not been read yet.';
		}

		// ---- Manifest validation --------------------------------------------------------------------------

		/**
		 * Checks every field this updater uses and returns them in one known shape. Fields that decide what is
		 * installed must be well-formed or the whole manifest is refused; display-only fields fall back to ''.
		 *
		 * @param mixed $data The decoded JSON.
		 * @return array|WP_Error
		 */
		private function parse_manifest( $data ) {
			if ( ! is_array( $data ) ) {
				return new WP_Error( 'wprm_updater_malformed', sprintf( 'the manifest at %s is not a JSON object.', $this->manifest_url ) );
			}
			try {
				if ( ! isset( $data['format'] ) || self::MANIFEST_FORMAT !== $data['format'] ) {
					throw new InvalidArgumentException( 'its "format" is not "' . self::MANIFEST_FORMAT . '"' );
				}
				if ( ! isset( $data['slug'] ) || $this->folder !== $data['slug'] ) {
					throw new InvalidArgumentException( sprintf( 'its "slug" is not "%s", the folder of this plugin', $this->folder ) );
				}
				$name = self::display_text( $data, 'name' );
				return array(
					'format'         => self::MANIFEST_FORMAT,
					'slug'           => $this->folder,
					'name'           => '' !== $name ? $name : $this->folder,
					'version'        => self::version( $data, 'version' ),
					'download_url'   => self::url( $data, 'download_url' ),
					'sha256'         => self::sha256( $data, 'sha256' ),
					'size'           => self::size( $data, 'size' ),
					'requires'       => self::optional_version( $data, 'requires' ),
					'requires_php'   => self::optional_version( $data, 'requires_php' ),
					'force_update'   => self::flag( $data, 'force_update' ),
					'autoupdate'     => self::flag( $data, 'autoupdate' ),
					'update_ready'   => self::flag( $data, 'update_ready' ),
					'revoked'        => self::version_list( $data, 'revoked' ),
					'versions'       => self::version_entries( $data ),
					'tested'         => self::display_text( $data, 'tested' ),
					'homepage'       => isset( $data['homepage'] ) && self::is_http_url( $data['homepage'] ) ? $data['homepage'] : '',
					'author'         => self::display_text( $data, 'author' ),
					'last_updated'   => self::display_text( $data, 'last_updated' ),
					'upgrade_notice' => self::display_text( $data, 'upgrade_notice' ),
					'sections'       => self::sections( $data ),
					'banners'        => WPRM_Updater_Html_1_0::images( $data, 'banners', array( 'low', 'high' ) ),
					'icons'          => WPRM_Updater_Html_1_0::images( $data, 'icons', array( '1x', '2x', 'svg' ) ),
					// Signed manifests: checked when accepted (accept_signed) and on every use (expired).
					'manifest_version' => isset( $data['manifest_version'] ) && is_int( $data['manifest_version'] ) ? $data['manifest_version'] : 0,
					'expires'          => self::expiry_time( $data ),
				);
			} catch ( InvalidArgumentException $malformed ) {
				return new WP_Error( 'wprm_updater_malformed', sprintf( 'the manifest at %1$s is malformed: %2$s.', $this->manifest_url, $malformed->getMessage() ) );
			}
		}

		/** The versions[] entries: each one's checksum is what a package from that entry is checked against. */
		private static function version_entries( array $data ): array {
			if ( ! isset( $data['versions'] ) ) {
				return array();
			}
			if ( ! is_array( $data['versions'] ) ) {
				throw new InvalidArgumentException( '"versions" is not a list' );
			}
			$entries = array();
			foreach ( $data['versions'] as $index => $entry ) {
				if ( ! is_array( $entry ) ) {
					throw new InvalidArgumentException( sprintf( '"versions[%s]" is not an object', $index ) );
				}
				$where     = "versions[$index].";
				$entries[] = array(
					'version'      => self::version( $entry, 'version', $where ),
					'download_url' => self::url( $entry, 'download_url', $where ),
					'sha256'       => self::sha256( $entry, 'sha256', $where ),
					'size'         => self::size( $entry, 'size', $where ),
					'force_update' => self::flag( $entry, 'force_update', $where ),
					'revoked'      => self::flag( $entry, 'revoked', $where ),
					'requires'     => isset( $entry['requires'] ) ? self::version( $entry, 'requires', $where ) : null,
					'requires_php' => isset( $entry['requires_php'] ) ? self::version( $entry, 'requires_php', $where ) : null,
					'status'       => self::status( $entry, $where ),
					'channel'      => self::entry_channel( $entry, $where ),
					'required'     => self::flag( $entry, 'required', $where ),
					'rollout'      => self::rollout( $entry, $where ),
				);
			}
			return $entries;
		}

		/** @return string|null A version's status; null when the entry has none (a manifest from before statuses were listed). */
		private static function status( array $entry, string $where ) {
			if ( ! isset( $entry['status'] ) ) {
				return null;
			}
			if ( ! in_array( $entry['status'], array( 'draft', 'released', 'update_ready', 'deprecated' ), true ) ) {
				throw new InvalidArgumentException( sprintf( '"%sstatus" is not a version status', $where ) );
			}
			return $entry['status'];
		}

		/** The channel follows from the version: a stable site must never take a pre-release listed as stable. */
		private static function entry_channel( array $entry, string $where ): string {
			$expected = false !== strpos( $entry['version'], '-' ) ? 'beta' : 'stable';
			if ( isset( $entry['channel'] ) && $expected !== $entry['channel'] ) {
				throw new InvalidArgumentException( sprintf( '"%schannel" is not the channel of its version', $where ) );
			}
			return $expected;
		}

		/**
		 * A staged rollout: steps of a whole percent (1-100) from a UTC time on, when it was halted, and whether it
		 * holds a forced release too. Times stay as written: the cache keeps the parsed manifest and parses it again.
		 *
		 * @return array{steps: array<int, array{percent: int, at: string}>, halted_at: string|null, forced: bool}|null
		 */
		private static function rollout( array $entry, string $where ) {
			if ( ! isset( $entry['rollout'] ) ) {
				return null;
			}
			$rollout = $entry['rollout'];
			$at      = $where . 'rollout';
			if ( ! is_array( $rollout ) || ! isset( $rollout['steps'] ) || ! is_array( $rollout['steps'] ) || array() === $rollout['steps'] ) {
				throw new InvalidArgumentException( sprintf( '"%s" is not a rollout', $at ) );
			}
			$steps = array();
			foreach ( $rollout['steps'] as $index => $step ) {
				$here = "{$at}.steps[{$index}]";
				if ( ! is_array( $step ) ) {
					throw new InvalidArgumentException( sprintf( '"%s" is not a rollout', $here ) );
				}
				if ( ! isset( $step['percent'] ) || ! is_int( $step['percent'] ) || $step['percent'] < 1 || $step['percent'] > 100 ) {
					throw new InvalidArgumentException( sprintf( '"%s.percent" is not a whole percent from 1 to 100', $here ) );
				}
				$steps[] = array(
					'percent' => $step['percent'],
					'at'      => self::utc_time( $step, 'at', $here . '.' ),
				);
			}
			return array(
				'steps'     => $steps,
				'halted_at' => isset( $rollout['halted_at'] ) ? self::utc_time( $rollout, 'halted_at', $at . '.' ) : null,
				'forced'    => self::flag( $rollout, 'forced', $at . '.' ),
			);
		}

		/** An ISO 8601 time in UTC ("2026-12-01T12:00:00.000Z"), as WPRM_Updater_Offer_1_0::unix_time reads it. */
		private static function utc_time( array $data, string $key, string $where ): string {
			$value = isset( $data[ $key ] ) ? $data[ $key ] : null;
			if ( ! self::is_utc_time( $value ) ) {
				throw new InvalidArgumentException( sprintf( '"%s%s" is not a UTC time', $where, $key ) );
			}
			return $value;
		}

		/**
		 * Whether a value is an ISO 8601 time in UTC as JavaScript's toISOString writes it, the milliseconds optional
		 * (src-shared/manifest-schema.ts, isUtcTime: the same rule).
		 *
		 * @param mixed $value
		 */
		private static function is_utc_time( $value ): bool {
			return is_string( $value ) && 1 === preg_match( '/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,3})?Z$/D', $value );
		}

		/**
		 * Such a time as a Unix time, null for anything else. Not strtotime: its first call in a process costs some 0.1 ms
		 * and each further one 10 us, on every check.
		 *
		 * @param mixed $value
		 * @return int|null
		 */
		private static function utc_unix_time( $value ) {
			return self::is_utc_time( $value ) ? WPRM_Updater_Offer_1_0::unix_time( $value ) : null;
		}

		private static function version( array $data, string $key, string $where = '' ): string {
			$value = isset( $data[ $key ] ) ? $data[ $key ] : null;
			if ( ! self::is_version( $value ) ) {
				throw new InvalidArgumentException( sprintf( '"%s%s" is not a version', $where, $key ) );
			}
			return $value;
		}

		/** @return string|null */
		private static function optional_version( array $data, string $key ) {
			return isset( $data[ $key ] ) ? self::version( $data, $key ) : null;
		}

		private static function version_list( array $data, string $key ): array {
			if ( ! isset( $data[ $key ] ) ) {
				return array();
			}
			if ( ! is_array( $data[ $key ] ) ) {
				throw new InvalidArgumentException( sprintf( '"%s" is not a list of versions', $key ) );
			}
			foreach ( $data[ $key ] as $value ) {
				if ( ! self::is_version( $value ) ) {
					throw new InvalidArgumentException( sprintf( '"%s" is not a list of versions', $key ) );
				}
			}
			return array_values( $data[ $key ] );
		}

		private static function url( array $data, string $key, string $where = '' ): string {
			if ( ! isset( $data[ $key ] ) || ! self::is_http_url( $data[ $key ] ) ) {
				throw new InvalidArgumentException( sprintf( '"%s%s" is not an http(s) URL', $where, $key ) );
			}
			return $data[ $key ];
		}

		private static function sha256( array $data, string $key, string $where = '' ): string {
			if ( ! isset( $data[ $key ] ) || ! is_string( $data[ $key ] ) || ! preg_match( '/^[0-9a-fA-F]{64}$/D', $data[ $key ] ) ) {
				throw new InvalidArgumentException( sprintf( '"%s%s" is not a SHA-256 in hex', $where, $key ) );
			}
			return strtolower( $data[ $key ] );
		}

		private static function size( array $data, string $key, string $where = '' ): int {
			if ( ! isset( $data[ $key ] ) || ! is_int( $data[ $key ] ) || $data[ $key ] <= 0 ) {
				throw new InvalidArgumentException( sprintf( '"%s%s" is not a positive whole number of bytes', $where, $key ) );
			}
			return $data[ $key ];
		}

		private static function flag( array $data, string $key, string $where = '' ): bool {
			if ( ! isset( $data[ $key ] ) ) {
				return false;
			}
			if ( ! is_bool( $data[ $key ] ) ) {
				throw new InvalidArgumentException( sprintf( '"%s%s" is not true or false', $where, $key ) );
			}
			return $data[ $key ];
		}

		/** The expiry as a Unix time (0 when there is none): an ISO 8601 text in a manifest, already a number in the cache. */
		private static function expiry_time( array $data ): int {
			if ( isset( $data['expires'] ) && is_int( $data['expires'] ) ) {
				return $data['expires'];
			}
			$time = self::utc_unix_time( isset( $data['expires'] ) ? $data['expires'] : null );
			return null === $time ? 0 : $time;
		}

		private static function display_text( array $data, string $key ): string {
			return isset( $data[ $key ] ) && is_string( $data[ $key ] ) ? $data[ $key ] : '';
		}

		/** @return array<string, string> Sections such as description and changelog (HTML, which core filters with wp_kses). */
		private static function sections( array $data ): array {
			$sections = array();
			if ( isset( $data['sections'] ) && is_array( $data['sections'] ) ) {
				foreach ( $data['sections'] as $name => $html ) {
					if ( is_string( $name ) && preg_match( '/^[a-z_]{1,40}$/D', $name ) && is_string( $html ) ) {
						$sections[ $name ] = $html;
					}
				}
			}
			return $sections;
		}

		/**
		 * The D modifier (here and in the other patterns) makes `$` the end of the text: without it, "1.2.5\n" passes.
		 *
		 * @param mixed $value
		 */
		private static function is_version( $value ): bool {
			return is_string( $value ) && 1 === preg_match( '/^[0-9][0-9A-Za-z.+-]{0,63}$/D', $value );
		}

		/** @param mixed $value */
		private static function is_http_url( $value ): bool {
			if ( ! is_string( $value ) || strlen( $value ) > 2048 ) {
				return false;
			}
			$parts = wp_parse_url( $value );
			return isset( $parts['scheme'], $parts['host'] ) && in_array( strtolower( $parts['scheme'] ), array( 'http', 'https' ), true ) && '' !== $parts['host'];
		}

		// ---- Small helpers --------------------------------------------------------------------------------

		/**
		 * One of this updater's small options (a channel choice, a claim), '' when there is none. On a single site they
		 * are stored autoloaded (write_small_option) and read from the options WordPress loads anyway: most sites never
		 * have one, and a missing option would cost a query on every admin page and every check. A network keeps them
		 * as network options.
		 *
		 * @return mixed
		 */
		private static function read_small_option( string $name ) {
			if ( is_multisite() ) {
				return get_site_option( $name, '' );
			}
			$loaded = wp_load_alloptions();
			return isset( $loaded[ $name ] ) ? $loaded[ $name ] : '';
		}

		/** @param mixed $value */
		private static function write_small_option( string $name, $value ) {
			if ( is_multisite() ) {
				update_site_option( $name, $value );
			} else {
				update_option( $name, $value, true );
			}
		}

		/**
		 * The installed version: from WordPress's list of plugins when this request has read it (the update check and the
		 * Plugins screen do), else from the main file's header. Once an upgrade ran in this request, from the file only:
		 * the list is cleared only after the upgrade's last hooks.
		 */
		private function installed_version(): string {
			if ( null === $this->installed ) {
				$plugins         = $this->upgraded ? null : wp_cache_get( 'plugins', 'plugins' );
				$listed          = is_array( $plugins ) && isset( $plugins[''][ $this->basename ]['Version'] ) ? $plugins[''][ $this->basename ]['Version'] : null;
				$this->installed = is_string( $listed ) ? $listed : $this->plugin_header( 'Version' );
			}
			return $this->installed;
		}

		/**
		 * The manifest's name for the plugin, else its own "Plugin Name", else its folder: as safe text, since
		 * WordPress prints upgrader errors and notices that carry it as HTML.
		 */
		private function display_name(): string {
			$state = $this->load_state();
			$name  = null !== $state['manifest'] ? $state['manifest']['name'] : $this->plugin_header( 'Plugin Name' );
			$safe  = WPRM_Updater_Html_1_0::text( $name );
			return '' !== $safe ? $safe : esc_html( $this->folder );
		}

		/** A header of the installed main file, read from disk: it changes when an update is installed. */
		private function plugin_header( string $header ): string {
			if ( ! is_readable( $this->plugin_file ) ) {
				return '';
			}
			$headers = get_file_data( $this->plugin_file, array( 'value' => $header ) );
			return isset( $headers['value'] ) && is_string( $headers['value'] ) ? $headers['value'] : '';
		}

		private function on_update_screen(): bool {
			$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
			return is_object( $screen ) && in_array( $screen->id, array( 'plugins', 'plugins-network', 'update-core', 'update-core-network' ), true );
		}

		private function print_notice( string $type, string $message ) {
			printf( '<div class="notice notice-%1$s wprm-updater-notice"><p>%2$s</p></div>', esc_attr( $type ), esc_html( $message ) );
		}
	}

	/**
	 * Which version a site is offered: the one pure function of channels, staged rollouts and stepping stones
	 * (no WordPress call in it, so php-cli tests it over thousands of site ids). WP Release Manager's own copy of
	 * the rollout rules is src-shared/rollout.ts.
	 *
	 * - The manifest's top fields are the stable offer: every site may take it, whatever its bucket.
	 * - A live (released or update_ready), not withdrawn entry of versions[] is a candidate when its channel is
	 *   the site's (a beta site takes both), the site meets its requirements, and the site is in its rollout:
	 *   bucket < percent x 100 at this time (never while halted; a forced release skips its rollout unless the
	 *   rollout says `forced`).
	 * - The highest candidate is the target, unless a required version (a stepping stone) lies between the
	 *   installed version and it: then the lowest such one.
	 */
	final class WPRM_Updater_Offer_1_0 {

		/** Buckets per site: a percent is 100 of them, so shares are exact to 0.01 %. */
		const BUCKETS = 10000;

		/**
		 * A site's bucket, 0-9999, from its site id (the SHA-256 in hex of its home URL, "#" and the plugin's folder):
		 * the same for every version of the plugin, so the same sites go first and a site in at 10 % is in at 50 %.
		 */
		public static function bucket( string $site_id ): int {
			return (int) ( hexdec( substr( $site_id, 0, 8 ) ) % self::BUCKETS );
		}

		/**
		 * The percentage of sites a version is offered to at Unix time $now: the last step reached, 0 while halted,
		 * 100 without a rollout, and 100 for a forced release whose rollout does not say `forced`.
		 */
		public static function percent_at( array $entry, int $now ): int {
			$rollout = isset( $entry['rollout'] ) ? $entry['rollout'] : null;
			if ( ! is_array( $rollout ) || ( ! empty( $entry['force_update'] ) && ! $rollout['forced'] ) ) {
				return 100;
			}
			if ( null !== $rollout['halted_at'] ) {
				return 0;
			}
			$percent = 0;
			foreach ( $rollout['steps'] as $step ) {
				if ( self::unix_time( $step['at'] ) <= $now ) {
					$percent = $step['percent'];
				}
			}
			return $percent;
		}

		/**
		 * A time as the manifest writes it ("2026-12-01T12:00:00.000Z", checked by parse_manifest), as a Unix
		 * timestamp. Read by hand: strtotime costs some 30 microseconds a call, and this runs per version per check.
		 */
		public static function unix_time( string $utc ): int {
			sscanf( $utc, '%4d-%2d-%2dT%2d:%2d:%2d', $year, $month, $day, $hour, $minute, $second );
			return (int) gmmktime( $hour, $minute, $second, $month, $day, $year );
		}

		/**
		 * The entry to offer, or null when no version fits this site. The caller offers it when it is higher than the
		 * installed version, or when the installed one was withdrawn.
		 *
		 * @param array    $manifest  A manifest as parse_manifest returns it.
		 * @param string   $installed The installed version.
		 * @param string   $channel   'stable' or 'beta'.
		 * @param int      $bucket    The site's bucket (bucket()).
		 * @param int      $now       Unix time.
		 * @param callable $meets     ( ?string $requires, ?string $requires_php ): bool, whether the site can run a version.
		 * @return array|null An entry: version, download_url, sha256, size, force_update, requires, requires_php, required.
		 */
		public static function choose( array $manifest, string $installed, string $channel, int $bucket, int $now, callable $meets ) {
			$candidates = array();
			$stable     = array(
				'version'      => $manifest['version'],
				'download_url' => $manifest['download_url'],
				'sha256'       => $manifest['sha256'],
				'size'         => $manifest['size'],
				'force_update' => $manifest['force_update'] || $manifest['autoupdate'],
				'requires'     => $manifest['requires'],
				'requires_php' => $manifest['requires_php'],
				'required'     => false,
			);
			$stable_ok = $meets( $stable['requires'], $stable['requires_php'] );
			foreach ( $manifest['versions'] as $entry ) {
				$live = in_array( $entry['status'], array( 'released', 'update_ready' ), true ) && ! $entry['revoked'] && ! in_array( $entry['version'], $manifest['revoked'], true );
				if ( ! $live || ( 'beta' === $entry['channel'] && 'beta' !== $channel ) ) {
					continue;
				}
				if ( $entry['version'] === $stable['version'] ) {
					// The stable offer reaches every site; its entry adds only whether it is a stepping stone.
					$stable['required'] = $entry['required'];
					continue;
				}
				if ( $bucket < self::percent_at( $entry, $now ) * ( self::BUCKETS / 100 ) && $meets( $entry['requires'], $entry['requires_php'] ) ) {
					$candidates[] = $entry;
				}
			}
			if ( $stable_ok ) {
				$candidates[] = $stable;
			}
			$target = null;
			foreach ( $candidates as $candidate ) {
				if ( null === $target || version_compare( $candidate['version'], $target['version'], '>' ) ) {
					$target = $candidate;
				}
			}
			if ( null === $target ) {
				return null;
			}
			foreach ( $candidates as $candidate ) {
				$between = version_compare( $candidate['version'], $installed, '>' ) && version_compare( $candidate['version'], $target['version'], '<' );
				if ( $candidate['required'] && $between ) {
					$target = $candidate; // The candidates below the target that remain are higher than the installed one.
				}
			}
			return $target;
		}
	}

	/**
	 * Makes manifest texts safe for wp-admin, whoever wrote the manifest: plain text without tags, HTML reduced to
	 * what WordPress's plugin-information screen shows (no script, no event handler, no javascript: URL), and
	 * http(s) URLs only. WP Release Manager writes its manifests this way already; this is the second line.
	 */
	final class WPRM_Updater_Html_1_0 {

		/**
		 * The tags of install_plugin_information()'s allow-list, without class and target (they could restyle
		 * wp-admin or open windows). The same list as WP Release Manager's own sanitizer.
		 */
		const ALLOWED_TAGS = array(
			'a'          => array(
				'href'  => true,
				'title' => true,
			),
			'abbr'       => array( 'title' => true ),
			'acronym'    => array( 'title' => true ),
			'blockquote' => array( 'cite' => true ),
			'br'         => array(),
			'code'       => array(),
			'div'        => array(),
			'em'         => array(),
			'h1'         => array(),
			'h2'         => array(),
			'h3'         => array(),
			'h4'         => array(),
			'h5'         => array(),
			'h6'         => array(),
			'img'        => array(
				'src' => true,
				'alt' => true,
			),
			'li'         => array(),
			'ol'         => array(),
			'p'          => array(),
			'pre'        => array(),
			'span'       => array(),
			'strong'     => array(),
			'ul'         => array(),
		);

		/** Links and images may point to these only. */
		const PROTOCOLS = array( 'http', 'https', 'mailto' );

		/**
		 * Plain text: tags (and script and style with their content) stripped, then escaped. Entities already in the
		 * text are kept, so a text made safe twice reads the same.
		 *
		 * @param mixed $text
		 */
		public static function text( $text ): string {
			if ( ! is_string( $text ) ) {
				return '';
			}
			return esc_html( trim( preg_replace( '/\s+/', ' ', wp_strip_all_tags( $text ) ) ) );
		}

		/** Elements whose content is code or a widget, not text: they go with everything inside them. */
		const DROPPED_ELEMENTS = 'script|style|iframe|frame|frameset|object|embed|applet|noscript|noembed|noframes|template|textarea|select|title|xmp|svg|math';

		/**
		 * HTML for a "View details" section: script-like elements dropped with their content, then wp_kses with the
		 * list above, then every link or image address that is not http(s), mailto: or #fragment removed (wp_kses
		 * strips a bad protocol but keeps the rest of the address).
		 *
		 * @param mixed $html
		 */
		public static function html( $html ): string {
			if ( ! is_string( $html ) ) {
				return '';
			}
			$elements = self::DROPPED_ELEMENTS;
			$html     = preg_replace( "#<({$elements})\\b[^>]*>.*?(</\\1\\s*>|$)#is", '', $html );
			$html     = wp_kses( is_string( $html ) ? $html : '', self::ALLOWED_TAGS, self::PROTOCOLS );
			$html     = preg_replace_callback(
				'#\\s(href|src|cite)="([^"]*)"#i',
				function ( $attribute ) {
					return preg_match( '#^(https?://|mailto:|\\#)#i', html_entity_decode( $attribute[2] ) ) ? $attribute[0] : '';
				},
				$html
			);
			return is_string( $html ) ? $html : '';
		}

		/**
		 * Image URLs from a manifest field such as banners (low, high) or icons (1x, 2x, svg): the given keys only,
		 * each an http(s) URL; anything else is left out (a display field never makes a manifest unusable).
		 *
		 * @param array    $data The decoded manifest.
		 * @param string   $key  The field.
		 * @param string[] $keys The sizes WordPress knows.
		 * @return array<string, string>
		 */
		public static function images( array $data, string $key, array $keys ): array {
			$images = array();
			if ( isset( $data[ $key ] ) && is_array( $data[ $key ] ) ) {
				foreach ( $keys as $size ) {
					$url = isset( $data[ $key ][ $size ] ) ? self::url( $data[ $key ][ $size ] ) : '';
					if ( '' !== $url ) {
						$images[ $size ] = $url;
					}
				}
			}
			return $images;
		}

		/**
		 * An http(s) URL, or '' for anything else (an address with quotes, brackets or white space in it is not
		 * repaired: it is refused).
		 *
		 * @param mixed $url
		 */
		public static function url( $url ): string {
			if ( ! is_string( $url ) || '' === $url || preg_match( '/[\\s"\'<>`]/', $url ) ) {
				return '';
			}
			$scheme = wp_parse_url( $url, PHP_URL_SCHEME );
			return is_string( $scheme ) && in_array( strtolower( $scheme ), array( 'http', 'https' ), true ) ? esc_url_raw( $url, array( 'http', 'https' ) ) : '';
		}
	}

endif;
