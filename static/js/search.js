/* conceptbook search: see issue 4. */
