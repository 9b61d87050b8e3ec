<?php
/**
 * Lists PHP 8-only syntax and functions in a file that must run on PHP 7.4, one finding per line ("LINE: what").
 * Only PHP 8.2 is installed here, so `php -l` cannot tell; this reads the file's tokens instead.
 * It knows the common PHP 8 constructs, not all of them: a clean run is evidence, not proof.
 *
 * Usage: php php74-guard.php FILE
 */

if ( $argc !== 2 || ! is_readable( $argv[1] ) ) {
	fwrite( STDERR, "usage: php php74-guard.php FILE\n" );
	exit( 2 );
}

$tokens = array_values(
	array_filter(
		token_get_all( file_get_contents( $argv[1] ) ),
		function ( $token ) {
			return ! is_array( $token ) || ! in_array( $token[0], array( T_WHITESPACE, T_COMMENT, T_DOC_COMMENT ), true );
		}
	)
);

$php8_tokens    = array(
	'T_MATCH'                    => 'match expression',
	'T_NULLSAFE_OBJECT_OPERATOR' => 'nullsafe operator ?->',
	'T_ATTRIBUTE'                => 'attribute #[...]',
	'T_ENUM'                     => 'enum',
	'T_READONLY'                 => 'readonly property',
);
$php8_functions = array( 'str_contains', 'str_starts_with', 'str_ends_with', 'get_debug_type', 'array_is_list', 'fdiv', 'get_resource_id', 'preg_last_error_msg' );
$php8_types     = array( 'mixed', 'never', 'false', 'null' );

/** The text of a token. */
function text_of( $token ) {
	return is_array( $token ) ? $token[1] : $token;
}

/** The name of a token's type ('' for single characters). */
function name_of( $token ) {
	return is_array( $token ) ? token_name( $token[0] ) : '';
}

$findings = array();
$line     = 1;
$count    = count( $tokens );
// Parameter lists of function declarations: the depth of '(' that opened one, and what the current parameter has seen.
$param_depth = null;
$depth       = 0;
$seen_value  = false;

for ( $i = 0; $i < $count; $i++ ) {
	$token = $tokens[ $i ];
	$line  = is_array( $token ) ? $token[2] : $line;
	$text  = text_of( $token );
	$name  = name_of( $token );
	$prev  = $i > 0 ? $tokens[ $i - 1 ] : null;
	$next  = $i + 1 < $count ? $tokens[ $i + 1 ] : null;

	if ( isset( $php8_tokens[ $name ] ) ) {
		$findings[] = "$line: " . $php8_tokens[ $name ];
	}
	// Named argument: "(name:" or ", name:" (a ternary's "? name :" and "case NAME:" start differently).
	if ( 'T_STRING' === $name && ( '(' === text_of( $prev ) || ',' === text_of( $prev ) ) && ':' === text_of( $next ) && null === $param_depth ) {
		$findings[] = "$line: named argument $text:";
	}
	if ( 'T_STRING' === $name && in_array( strtolower( $text ), $php8_functions, true ) && '(' === text_of( $next )
		&& ! in_array( name_of( $prev ), array( 'T_OBJECT_OPERATOR', 'T_DOUBLE_COLON', 'T_FUNCTION' ), true ) ) {
		$findings[] = "$line: PHP 8 function $text()";
	}
	// $object::class
	if ( 'T_VARIABLE' === $name && 'T_DOUBLE_COLON' === name_of( $next ) && $i + 2 < $count && 'T_CLASS' === name_of( $tokens[ $i + 2 ] ) ) {
		$findings[] = "$line: ::class on an object";
	}
	// catch (Exception) without a variable.
	if ( 'T_CATCH' === $name ) {
		for ( $j = $i + 2; $j < $count && ')' !== text_of( $tokens[ $j ] ); $j++ ) {
			if ( 'T_VARIABLE' === name_of( $tokens[ $j ] ) ) {
				continue 2;
			}
		}
		$findings[] = "$line: catch without a variable";
	}
	// First-class callable syntax: f(...)
	if ( 'T_ELLIPSIS' === $name && '(' === text_of( $prev ) && ')' === text_of( $next ) ) {
		$findings[] = "$line: first-class callable (...)";
	}
	// Return types: after a declaration's ')' and ':'.
	if ( ':' === $text && ')' === text_of( $prev ) && null === $param_depth && isset( $last_param_close ) && $last_param_close === $i - 1 ) {
		for ( $j = $i + 1; $j < $count && ! in_array( text_of( $tokens[ $j ] ), array( '{', ';' ), true ); $j++ ) {
			$type = text_of( $tokens[ $j ] );
			if ( '|' === $type ) {
				$findings[] = "$line: union return type";
			} elseif ( in_array( strtolower( $type ), $php8_types, true ) || 'T_STATIC' === name_of( $tokens[ $j ] ) ) {
				$findings[] = "$line: return type $type";
			}
		}
	}

	if ( ( 'T_FUNCTION' === $name || 'T_FN' === $name ) && null === $param_depth ) {
		// The next '(' opens the parameter list (after an optional & and name).
		for ( $j = $i + 1; $j < $count && '(' !== text_of( $tokens[ $j ] ); $j++ ) {
		}
		$open_at = $j;
	}
	if ( '(' === $text ) {
		$depth++;
		if ( isset( $open_at ) && $open_at === $i ) {
			$param_depth = $depth;
			$seen_value  = false;
			unset( $open_at );
		}
	} elseif ( ')' === $text ) {
		if ( $depth === $param_depth ) {
			if ( ',' === text_of( $prev ) ) {
				$findings[] = "$line: trailing comma in a parameter list";
			}
			$param_depth      = null;
			$last_param_close = $i;
		}
		$depth--;
	} elseif ( null !== $param_depth && $depth === $param_depth ) {
		if ( ',' === $text ) {
			$seen_value = false;
		} elseif ( '=' === $text || 'T_VARIABLE' === $name ) {
			$seen_value = true;
		} elseif ( ! $seen_value && '|' === $text ) {
			$findings[] = "$line: union parameter type";
		} elseif ( ! $seen_value && in_array( $name, array( 'T_PUBLIC', 'T_PRIVATE', 'T_PROTECTED' ), true ) ) {
			$findings[] = "$line: constructor property promotion";
		} elseif ( ! $seen_value && 'T_STRING' === $name && in_array( strtolower( $text ), $php8_types, true ) ) {
			$findings[] = "$line: parameter type $text";
		}
	}
}

echo implode( "\n", $findings ), $findings ? "\n" : '';
exit( $findings ? 1 : 0 );
