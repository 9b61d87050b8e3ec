<?php
/**
 * Plugin Update Checker Library 5.7
 * http://w-shadow.com/
 *
 * Copyright 2026 Janis Elsts
 * Released under the MIT license. See license.txt for details.
 */

require dirname(__FILE__) . '/load-v5p7.php';